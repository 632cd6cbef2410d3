package io.kaizen.lineage.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The audit chain's settings. */
@ConfigMapping(prefix = "kaizen.lineage.audit")
public interface AuditConfig {

    /**
     * The secret of the keyed pseudonyms (HMAC-SHA-256) that stand for personal data in the chain. Never logged.
     * The default in application.properties is for local runs only; production sets
     * {@code KAIZEN_LINEAGE_AUDIT_PSEUDONYM_KEY}. Changing it changes the pseudonyms of new records only.
     */
    String pseudonymKey();

    /** Records read per query while {@code GET /api/v1/audit/verify} walks a chain. */
    @WithDefault("500")
    int verifyPageSize();
}
