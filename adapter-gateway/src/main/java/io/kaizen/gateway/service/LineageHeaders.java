package io.kaizen.gateway.service;

/**
 * The caller's X-External-* headers, layers 1 and 2 of the lineage, as read and bounded at the edge
 * ({@code rest.CallerHeaders}).
 */
public record LineageHeaders(String userId, String userEmail, String userName, String system, String sessionId,
        String traceId, String context) {
}
