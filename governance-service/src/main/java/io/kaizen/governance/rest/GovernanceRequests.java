package io.kaizen.governance.rest;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.kaizen.common.governance.UsdAmountDeserializer;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;

/** Request bodies of the governance configuration endpoints; absent (or null) fields are left unchanged. */
public final class GovernanceRequests {

    private GovernanceRequests() {
    }

    /**
     * {@code PATCH .../budget/config} and the {@code budget} part of {@code PATCH .../governance}; -1 = unlimited. The
     * token pricing fields must be JSON numbers (a string is a 400, not a coerced amount). {@code rollover_unused}
     * carries a line's unused USD into its next period, up to {@code max_rollover_percentage} (0–1) of its limit.
     */
    public record BudgetConfig(BigDecimal monthlyBudgetUsd, BigDecimal dailyBudgetUsd, Integer monthlyExecutionLimit,
            Integer dailyExecutionLimit, BigDecimal costPerExecution, BigDecimal warningThreshold,
            BigDecimal degradationThreshold, String enforcementMode,
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal inputTokenRate,
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal outputTokenRate,
            @JsonDeserialize(using = UsdAmountDeserializer.class) BigDecimal baseInvocationCost,
            BigDecimal weeklyBudgetUsd, Integer weeklyExecutionLimit, Boolean rolloverUnused,
            BigDecimal maxRolloverPercentage) {
    }

    /** The {@code rate_limit} part of {@code PATCH .../governance}; user_requests_per_minute -1 = no per-user limit. */
    public record RateLimitConfig(Integer requestsPerMinute, Integer requestsPerHour, Integer requestsPerDay,
            Integer userRequestsPerMinute) {
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
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect, BigDecimal monthlyBudgetUsd,
            ApprovalTriggerSettings approvalTriggers, String timeZone) {
    }

    /** {@code POST /internal/v1/agents/usage}. */
    public record UsageQuery(List<String> agentIds) {
    }

    /** {@code POST /internal/v1/reservations/{id}/settle}. */
    public record Settlement(BigDecimal costUsd) {
    }
}
