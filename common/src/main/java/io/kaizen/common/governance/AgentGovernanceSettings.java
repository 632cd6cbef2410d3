package io.kaizen.common.governance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;

/**
 * Governance fields of an agent as registry writes them to governance
 * ({@code PUT /internal/v1/agents/{id}/governance}); null means "use the default".
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentGovernanceSettings(
        String organizationId,
        Integer requestsPerMinute,
        Integer requestsPerHour,
        Integer requestsPerDay,
        BigDecimal costPerExecution) {
}
