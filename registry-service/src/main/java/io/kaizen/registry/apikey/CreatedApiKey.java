package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.security.Redacted;

/** The answer to a create: the only time {@code key} is ever shown. */
public record CreatedApiKey(
        String id,
        String name,
        String key,
        String prefix,
        List<String> scopes,
        @Schema(nullable = true) String teamId,
        String organizationId,
        Instant createdAt,
        @Schema(nullable = true) Instant expiresAt) {

    @Override
    public String toString() {
        return Redacted.toString(this, "key");
    }
}
