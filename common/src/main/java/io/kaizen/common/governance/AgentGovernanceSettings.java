package io.kaizen.common.governance;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The governance fields of an agent as registry writes them to governance, synchronously and idempotently, before
 * an agent create or patch commits ({@code PUT /internal/v1/agents/{id}/governance}). Field names are those of the
 * agent API; null means "the configured default".
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(additionalProperties = Schema.True.class)
public record AgentGovernanceSettings(
        String organizationId,
        @Schema(nullable = true) BigDecimal maxMonthlyCost,
        @Schema(nullable = true) BigDecimal maxDailyCost,
        @Schema(nullable = true) BigDecimal costPerExecution,
        @Schema(nullable = true) Integer monthlyExecutionLimit,
        @Schema(nullable = true) Integer requestsPerMinute,
        @Schema(nullable = true) Integer requestsPerHour,
        @Schema(nullable = true) Integer requestsPerDay,
        @Schema(nullable = true) BigDecimal inputTokenRate,
        @Schema(nullable = true) BigDecimal outputTokenRate,
        @Schema(nullable = true) BigDecimal baseInvocationCost,
        @Schema(nullable = true) BigDecimal maxWeeklyCost,
        @Schema(nullable = true) Integer weeklyExecutionLimit,
        @Schema(nullable = true) Boolean rolloverUnused,
        @Schema(nullable = true) BigDecimal maxRolloverPercentage) {
}
