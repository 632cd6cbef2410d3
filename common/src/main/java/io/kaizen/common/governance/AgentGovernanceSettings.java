package io.kaizen.common.governance;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The governance fields of an agent as registry writes them to governance, synchronously and idempotently, before
 * an agent create or patch commits ({@code PUT /internal/v1/agents/{id}/governance}). Field names are those of the
 * agent API; null means "the configured default".
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentGovernanceSettings(
        String organizationId,
        BigDecimal maxMonthlyCost,
        BigDecimal maxDailyCost,
        BigDecimal costPerExecution,
        Integer monthlyExecutionLimit,
        Integer requestsPerMinute,
        Integer requestsPerHour,
        Integer requestsPerDay) {
}
