package io.kaizen.governance.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.governance.AgentUsage;
import io.kaizen.governance.budget.BudgetAlertConfig;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.service.BudgetAlertService;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;

/** Response bodies of the governance endpoints (snake_case on the wire). */
public final class GovernanceViews {

    private GovernanceViews() {
    }

    /** An agent's effective governance ({@code GET|PATCH .../governance}); null limits are unlimited. */
    public record AgentGovernanceView(
            String externalAgentId,
            String organizationId,
            BudgetConfigView budget,
            RateLimitConfigView rateLimit,
            ApprovalTriggerSettings approvalTriggers,
            @Schema(nullable = true) ApprovalTriggerSettings agentApprovalTriggers,
            @Schema(nullable = true) Instant updatedAt) {
    }

    public record BudgetConfigView(
            @Schema(nullable = true) BigDecimal monthlyBudgetUsd,
            @Schema(nullable = true) BigDecimal dailyBudgetUsd,
            @Schema(nullable = true) Long monthlyExecutionLimit,
            @Schema(nullable = true) Long dailyExecutionLimit,
            BigDecimal costPerExecution,
            BigDecimal warningThreshold,
            BigDecimal degradationThreshold,
            @Schema(enumeration = {"hard", "soft"}) String enforcementMode,
            BigDecimal inputTokenRate,
            BigDecimal outputTokenRate,
            BigDecimal baseInvocationCost,
            @Schema(nullable = true) BigDecimal weeklyBudgetUsd,
            @Schema(nullable = true) Long weeklyExecutionLimit,
            boolean rolloverUnused,
            BigDecimal maxRolloverPercentage) {
    }

    public record RateLimitConfigView(long requestsPerMinute, long requestsPerHour, long requestsPerDay,
            @Schema(nullable = true) Long userRequestsPerMinute, boolean failOpen) {
    }

    /**
     * {@code PATCH .../budget/config} (original-spec §2.3.16). Limits include the rollover from the previous period,
     * as {@code GET .../budget} shows them; the configured values are in {@code budget}.
     */
    public record BudgetConfigUpdated(
            String message,
            String externalAgentId,
            @Schema(nullable = true, description = "with rollover") BigDecimal budgetLimitMonthly,
            @Schema(nullable = true, description = "with rollover") BigDecimal budgetLimitDaily,
            CurrentUsage currentUsage,
            BudgetConfigView budget,
            @Schema(nullable = true, description = "with rollover") BigDecimal budgetLimitWeekly) {
    }

    /** The monthly line's settled use, with the weekly and daily lines alongside. */
    public record CurrentUsage(BigDecimal costUsed, long invocations, BigDecimal rolloverUsd, LineUsage weekly,
            LineUsage daily) {
    }

    public record LineUsage(BigDecimal costUsed, long invocations, BigDecimal rolloverUsd) {
    }

    /**
     * {@code GET .../budget} (original-spec §2.3.15): the monthly line, with the weekly and daily lines alongside.
     * Limits include the rollover from the previous period ({@code rollover_usd}).
     */
    public record BudgetStatus(
            String externalAgentId,
            String organizationId,
            @Schema(enumeration = "monthly") String period,
            Instant periodStart,
            Instant periodEnd,
            BigDecimal costUsed,
            BigDecimal costReserved,
            @Schema(nullable = true, description = "the line's limit plus its rollover") BigDecimal costLimit,
            @Schema(description = "unused budget of the previous period added to the limit") BigDecimal rolloverUsd,
            @Schema(nullable = true) BigDecimal costRemaining,
            long invocations,
            @Schema(nullable = true) Long invocationsLimit,
            @Schema(nullable = true) Long invocationsRemaining,
            @Schema(nullable = true) BigDecimal usagePercentage,
            boolean warningTriggered,
            boolean degradedMode,
            boolean limitExceeded,
            @Schema(enumeration = {"hard", "soft"}) String enforcementMode,
            PeriodUsage weekly,
            PeriodUsage daily,
            @Schema(nullable = true) Organization organization) {
    }

    /** A weekly (Monday 00:00 in the organisation's time zone) or daily (UTC) budget line. */
    public record PeriodUsage(
            @Schema(enumeration = {"weekly", "daily"}) String period,
            Instant periodStart,
            Instant periodEnd,
            BigDecimal costUsed,
            BigDecimal costReserved,
            @Schema(nullable = true, description = "the line's limit plus its rollover") BigDecimal costLimit,
            BigDecimal rolloverUsd,
            @Schema(nullable = true) BigDecimal costRemaining,
            long invocations,
            @Schema(nullable = true) Long invocationsLimit) {
    }

    public record Organization(BigDecimal monthlyBudgetUsd, BigDecimal costUsed) {
    }

    /** {@code GET .../governance-status} (original-spec §2.3.7). */
    public record GovernanceStatus(String externalAgentId, String organizationId, Instant timestamp, BudgetPart budget,
            RatePart rateLimit, PolicyPart policy, ApprovalPart approval, boolean rateLimitFailOpen) {
    }

    /**
     * Settled use of the monthly, weekly (Monday 00:00 in the organisation's time zone) and daily lines. Each
     * {@code *_budget_usd} includes the line's rollover, shown beside it as {@code *_rollover_usd}.
     */
    public record BudgetPart(
            @Schema(nullable = true) BigDecimal monthlyBudgetUsd,
            BigDecimal monthlySpentUsd,
            @Schema(nullable = true) BigDecimal remainingMonthlyUsd,
            @Schema(nullable = true) BigDecimal dailyBudgetUsd,
            BigDecimal dailySpentUsd,
            @Schema(nullable = true) BigDecimal remainingDailyUsd,
            @Schema(nullable = true) Long monthlyExecutionLimit,
            long monthlyExecutionCount,
            @Schema(nullable = true) Long remainingExecutions,
            @Schema(nullable = true) BigDecimal usagePercentage,
            boolean warningTriggered,
            boolean degradedMode,
            @Schema(enumeration = {"hard", "soft"}) String enforcementMode,
            BigDecimal monthlyRolloverUsd,
            @Schema(nullable = true) BigDecimal weeklyBudgetUsd,
            BigDecimal weeklySpentUsd,
            @Schema(nullable = true) BigDecimal remainingWeeklyUsd,
            BigDecimal weeklyRolloverUsd,
            @Schema(nullable = true) Long weeklyExecutionLimit,
            long weeklyExecutionCount,
            @Schema(description = "the next Monday 00:00 in the organisation's time zone") Instant weeklyResetsAt,
            BigDecimal dailyRolloverUsd) {
    }

    /** Null fields when the rate limiter could not be read. */
    public record RatePart(
            @Schema(nullable = true) Boolean allowed,
            @Schema(nullable = true) String limitExceeded,
            Long remaining,
            @Schema(nullable = true) Map<String, Long> currentUsage,
            Map<String, Long> limits,
            @Schema(nullable = true) Long retryAfterSeconds,
            @Schema(nullable = true) Instant resetTime) {
    }

    public record PolicyPart(
            int totalPolicies,
            int enabledPolicies,
            List<ActivePolicy> activePolicies,
            @Schema(implementation = CombiningStrategy.class) String combiningStrategy,
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect) {
    }

    public record ActivePolicy(
            String policyId,
            String name,
            @Schema(enumeration = {"allow", "deny"}) String effect,
            int priority) {
    }

    /** Pending requests are counted by approval-service; governance reports whether any trigger is on. */
    public record ApprovalPart(
            boolean enabled,
            @Schema(nullable = true) Integer pendingCount,
            ApprovalTriggerSettings triggers) {
    }

    public record UsageItems(List<AgentUsage> items) {
    }

    /** A ledger reservation ({@code /internal/v1/reservations/{id}/settle|release}). */
    public record ReservationView(
            String reservationId,
            String agentId,
            String organizationId,
            @Schema(enumeration = {"reserved", "settled", "released"}) String status,
            BigDecimal estimateUsd,
            @Schema(nullable = true) BigDecimal actualUsd,
            Instant reservedAt,
            @Schema(nullable = true) Instant settledAt) {
    }

    /** The organisation's governance settings ({@code GET|PATCH /api/v1/policies/settings}). */
    public record OrganizationSettingsView(
            String organizationId,
            @Schema(implementation = CombiningStrategy.class) String combiningStrategy,
            @Schema(enumeration = {"allow", "deny"}) String defaultEffect,
            @Schema(nullable = true) BigDecimal monthlyBudgetUsd,
            @Schema(nullable = true) ApprovalTriggerSettings approvalTriggers,
            @Schema(description = "IANA time zone; weekly budgets start on Monday 00:00 there") String timeZone,
            @Schema(nullable = true) Instant updatedAt) {
    }

    /**
     * The budget alert configuration that applies ({@code GET|PUT|DELETE .../budget/alerts} and
     * {@code /api/v1/policies/settings/budget-alerts}): {@code source} says whose it is.
     */
    public record BudgetAlertsView(
            String organizationId,
            @Schema(nullable = true) String externalAgentId,
            @Schema(enumeration = {"agent", "organization", "default"}) String source,
            List<BigDecimal> thresholds,
            boolean alertOncePerThreshold,
            int cooldownMinutes,
            @Schema(nullable = true) String webhookUrl,
            List<String> emailRecipients,
            List<String> channels,
            boolean includeForecast,
            @Schema(nullable = true) Instant updatedAt) {

        public static BudgetAlertsView of(BudgetAlertService.Effective effective) {
            BudgetAlertConfig config = effective.config();
            return new BudgetAlertsView(effective.organizationId(), effective.agentId(), effective.source(),
                    config.thresholds(), config.alertOncePerThreshold(), config.cooldownMinutes(), config.webhookUrl(),
                    config.emailRecipients(), config.channels(), config.includeForecast(), effective.updatedAt());
        }
    }
}
