package io.kaizen.common.agents;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kaizen.common.security.Redacted;

/**
 * An agent as the gateway needs it to call out (registry's {@code GET /internal/v1/agents/{id}}). It is the only
 * shape that carries decrypted credentials, and only over the internal API. Readers ignore fields they do not
 * know, so either side can be deployed first.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentDefinition(
        String id,
        String organizationId,
        String name,
        String platform,
        String endpointUrl,
        Map<String, Object> platformConfig,
        String authType,
        Map<String, Object> credentials,
        List<String> tags,
        String environment,
        int timeoutSeconds,
        String status,
        Instant createdAt) {

    /** Credentials and platform secrets (merged into {@code platformConfig}) never reach a log. */
    @Override
    public String toString() {
        return Redacted.toString(this, "credentials", "platformConfig");
    }
}
