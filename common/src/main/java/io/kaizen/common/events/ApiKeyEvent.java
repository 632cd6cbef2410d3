package io.kaizen.common.events;

import java.time.Instant;
import java.util.List;

/** Data of {@code apikey.created} and {@code apikey.revoked}: the key as others may see it, never the key or its hash. */
public record ApiKeyEvent(String apiKeyId, String organizationId, String teamId, String name, String prefix,
        List<String> scopes, Instant expiresAt, Instant revokedAt, String actor, Instant occurredAt) {
}
