package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An API key as listed: identified by id and display prefix, never by the key or its hash. */
public record ApiKeyView(
        String id,
        String name,
        String prefix,
        List<String> scopes,
        @Schema(nullable = true) String teamId,
        Instant createdAt,
        @Schema(nullable = true) Instant lastUsedAt,
        @Schema(nullable = true) Instant expiresAt,
        @Schema(nullable = true) Instant revokedAt) {

    /** The list envelope (DESIGN §8). */
    @Schema(name = "ApiKeyPage")
    public record Page(List<ApiKeyView> items, long total, int page, int limit, boolean hasMore) {
    }
}
