package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@code config.updated}: the governance configuration of an agent ({@code scope = agent}) or of an
 * organisation ({@code scope = organization}, {@code agentId} null) changed; {@code changedFields} names what.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GovernanceConfigEvent(String organizationId, String agentId, String scope, List<String> changedFields,
        String actor, Instant occurredAt) {
}
