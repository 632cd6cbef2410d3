package io.kaizen.registry.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An agent as callers see it: credentials are always {@code "***"}. */
public record AgentResponse(
        String id,
        String organizationId,
        String name,
        String description,
        String platform,
        String endpointUrl,
        Map<String, Object> platformConfig,
        AuthConfigView authConfig,
        List<String> tags,
        String environment,
        int timeoutSeconds,
        String status,
        String createdBy,
        Instant createdAt,
        Instant updatedAt) {

    public record AuthConfigView(String authType, String credentials) {
    }
}
