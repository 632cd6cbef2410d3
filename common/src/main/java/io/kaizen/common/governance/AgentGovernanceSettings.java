package io.kaizen.common.governance;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.openapi.WireContract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The governance fields of an agent as registry writes them to governance, synchronously and idempotently, before
 * an agent create or patch commits ({@code PUT /internal/v1/agents/{id}/governance}). Field names are those of the
 * agent API; null means "the configured default".
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@Schema(additionalProperties = Schema.True.class)
public record AgentGovernanceSettings(
        @Schema(required = true, pattern = WireContract.NOT_BLANK) String organizationId,
        @Schema(nullable = true, minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal maxMonthlyCost,
        @Schema(nullable = true, minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal maxDailyCost,
        @Schema(nullable = true, minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal costPerExecution,
        @Schema(nullable = true, minimum = "-1") Integer monthlyExecutionLimit,
        @Schema(nullable = true, minimum = "0") Integer requestsPerMinute,
        @Schema(nullable = true, minimum = "0") Integer requestsPerHour,
        @Schema(nullable = true, minimum = "0") Integer requestsPerDay,
        @Schema(nullable = true, minimum = "0", maximum = "1", multipleOf = UsdAmount.TOKEN_RATE_STEP)
        BigDecimal inputTokenRate,
        @Schema(nullable = true, minimum = "0", maximum = "1", multipleOf = UsdAmount.TOKEN_RATE_STEP)
        BigDecimal outputTokenRate,
        @Schema(nullable = true, minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal baseInvocationCost,
        @Schema(nullable = true, minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
        BigDecimal maxWeeklyCost,
        @Schema(nullable = true, minimum = "-1") Integer weeklyExecutionLimit,
        @Schema(nullable = true) Boolean rolloverUnused,
        @Schema(nullable = true, minimum = "0", maximum = "1") BigDecimal maxRolloverPercentage) {
}
