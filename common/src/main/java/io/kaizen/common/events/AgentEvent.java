package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/** Data of {@code agent.*} events: the agent as others may see it, never its credentials. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentEvent(String agentId, String organizationId, String name, String platform, String status,
        String environment, List<String> tags, String actor, Instant occurredAt, List<String> changedFields) {
}
