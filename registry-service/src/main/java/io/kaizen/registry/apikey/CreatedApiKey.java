package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

/** The answer to a create: the only time {@code key} is ever shown. */
public record CreatedApiKey(String id, String name, String key, String prefix, List<String> scopes, String teamId,
        String organizationId, Instant createdAt, Instant expiresAt) {
}
