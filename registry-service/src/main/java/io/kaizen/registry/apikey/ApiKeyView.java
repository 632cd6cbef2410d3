package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

/** An API key as listed: identified by id and display prefix, never by the key or its hash. */
public record ApiKeyView(String id, String name, String prefix, List<String> scopes, String teamId, Instant createdAt,
        Instant lastUsedAt, Instant expiresAt, Instant revokedAt) {

    /** The list envelope (DESIGN §8). */
    public record Page(List<ApiKeyView> items, long total, int page, int limit, boolean hasMore) {
    }
}
