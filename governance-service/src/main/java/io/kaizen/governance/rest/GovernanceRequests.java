package io.kaizen.governance.rest;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.governance.UsdAmountDeserializer;
import io.kaizen.common.openapi.WireContract;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;
import jakarta.validation.constraints.Pattern;

/** Request bodies of the governance configuration endpoints; absent (or null) fields are left unchanged. */
public final class GovernanceRequests {

    private GovernanceRequests() {
    }

    /**
     * {@code PATCH .../budget/config} and the {@code budget} part of {@code PATCH .../governance}; -1 = unlimited. The
     * token pricing fields must be JSON numbers (a string is a 400, not a coerced amount). {@code rollover_unused}
     * carries a line's unused USD into its next period, up to {@code max_rollover_percentage} (0–1) of its limit.
     */
    public record BudgetConfig(
            @Schema(minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal monthlyBudgetUsd,
            @Schema(minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal dailyBudgetUsd,
            @Schema(minimum = "-1") Integer monthlyExecutionLimit,
            @Schema(minimum = "-1") Integer dailyExecutionLimit,
            @Schema(minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal costPerExecution,
            @Schema(minimum = "0", maximum = "1") BigDecimal warningThreshold,
            @Schema(minimum = "0", maximum = "1") BigDecimal degradationThreshold,
            @Schema(enumeration = {"hard", "soft"}) String enforcementMode,
            @Schema(minimum = "0", maximum = "1", multipleOf = UsdAmount.TOKEN_RATE_STEP)
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal inputTokenRate,
            @Schema(minimum = "0", maximum = "1", multipleOf = UsdAmount.TOKEN_RATE_STEP)
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal outputTokenRate,
            @Schema(minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal baseInvocationCost,
            @Schema(minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal weeklyBudgetUsd,
            @Schema(minimum = "-1") Integer weeklyExecutionLimit,
            Boolean rolloverUnused,
            @Schema(minimum = "0", maximum = "1") BigDecimal maxRolloverPercentage) {
    }

    /** The {@code rate_limit} part of {@code PATCH .../governance}; user_requests_per_minute -1 = no per-user limit. */
    public record RateLimitConfig(@Schema(minimum = "0") Integer requestsPerMinute,
            @Schema(minimum = "0") Integer requestsPerHour, @Schema(minimum = "0") Integer requestsPerDay,
            @Schema(minimum = "-1") Integer userRequestsPerMinute) {
    }

    /**
     * {@code PATCH .../governance}: {@code approval_triggers}, when present, replaces the agent's triggers (its
     * null fields inherit the organisation's defaults).
     */
    public record GovernancePatch(BudgetConfig budget, RateLimitConfig rateLimit,
            ApprovalTriggerSettings approvalTriggers) {
    }

    /**
     * {@code PATCH /api/v1/policies/settings}: the organisation's governance settings; {@code time_zone} is an IANA id
     * (weekly budgets start on Monday 00:00 there).
     */
    public record OrganizationSettings(@Schema(implementation = CombiningStrategy.class) String combiningStrategy,
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect,
            @Schema(minimum = "-1", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal monthlyBudgetUsd,
            ApprovalTriggerSettings approvalTriggers,
            @Schema(description = "An IANA time zone id of the JDK's time-zone database, e.g. Europe/Paris or UTC")
            String timeZone) {
    }

    /** {@code POST /internal/v1/agents/usage}. */
    public record UsageQuery(@Schema(required = true, maxItems = 1000)
            List<@Pattern(regexp = WireContract.NOT_BLANK) String> agentIds) {
    }

    /** {@code POST /internal/v1/reservations/{id}/settle}. */
    public record Settlement(
            @Schema(required = true, minimum = "0", maximum = UsdAmount.MAX_SETTING, multipleOf = UsdAmount.STEP)
            BigDecimal costUsd) {
    }
}
