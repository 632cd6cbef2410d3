package io.kaizen.registry.rest;

import java.util.List;

/** The list envelope of DESIGN §8. */
public record AgentPage(List<AgentResponse> items, long total, int page, int limit, boolean hasMore) {
}
