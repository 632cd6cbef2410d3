package io.kaizen.common.governance;

import java.math.BigDecimal;

/**
 * Governance fields of an agent as registry writes them to governance
 * ({@code PUT /internal/v1/agents/{id}/governance}); null means "use the default".
 */
public record AgentGovernanceSettings(
        String organizationId,
        Integer requestsPerMinute,
        Integer requestsPerHour,
        Integer requestsPerDay,
        BigDecimal costPerExecution) {
}
