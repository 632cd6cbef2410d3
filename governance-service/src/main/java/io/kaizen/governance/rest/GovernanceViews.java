package io.kaizen.governance.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kaizen.common.governance.AgentUsage;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;

/** Response bodies of the governance endpoints (snake_case on the wire). */
public final class GovernanceViews {

    private GovernanceViews() {
    }

    /** An agent's effective governance ({@code GET|PATCH .../governance}); null limits are unlimited. */
    public record AgentGovernanceView(String externalAgentId, String organizationId, BudgetConfigView budget,
            RateLimitConfigView rateLimit, ApprovalTriggerSettings approvalTriggers,
            ApprovalTriggerSettings agentApprovalTriggers, Instant updatedAt) {
    }

    public record BudgetConfigView(BigDecimal monthlyBudgetUsd, BigDecimal dailyBudgetUsd, Long monthlyExecutionLimit,
            Long dailyExecutionLimit, BigDecimal costPerExecution, BigDecimal warningThreshold,
            BigDecimal degradationThreshold, String enforcementMode) {
    }

    public record RateLimitConfigView(long requestsPerMinute, long requestsPerHour, long requestsPerDay,
            Long userRequestsPerMinute, boolean failOpen) {
    }

    /** {@code PATCH .../budget/config} (original-spec §2.3.16). */
    public record BudgetConfigUpdated(String message, String externalAgentId, BigDecimal budgetLimitMonthly,
            BigDecimal budgetLimitDaily, CurrentUsage currentUsage, BudgetConfigView budget) {
    }

    public record CurrentUsage(BigDecimal costUsed, long invocations) {
    }

    /** {@code GET .../budget} (original-spec §2.3.15) with the daily and execution scopes alongside. */
    public record BudgetStatus(String externalAgentId, String organizationId, String period, Instant periodStart,
            Instant periodEnd, BigDecimal costUsed, BigDecimal costReserved, BigDecimal costLimit,
            BigDecimal costRemaining, long invocations, Long invocationsLimit, Long invocationsRemaining,
            BigDecimal usagePercentage, boolean warningTriggered, boolean degradedMode, boolean limitExceeded,
            String enforcementMode, Daily daily, Organization organization) {
    }

    public record Daily(Instant periodStart, Instant periodEnd, BigDecimal costUsed, BigDecimal costReserved,
            BigDecimal costLimit, BigDecimal costRemaining, long invocations, Long invocationsLimit) {
    }

    public record Organization(BigDecimal monthlyBudgetUsd, BigDecimal costUsed) {
    }

    /** {@code GET .../governance-status} (original-spec §2.3.7). */
    public record GovernanceStatus(String externalAgentId, String organizationId, Instant timestamp, BudgetPart budget,
            RatePart rateLimit, PolicyPart policy, ApprovalPart approval, boolean rateLimitFailOpen) {
    }

    public record BudgetPart(BigDecimal monthlyBudgetUsd, BigDecimal monthlySpentUsd, BigDecimal remainingMonthlyUsd,
            BigDecimal dailyBudgetUsd, BigDecimal dailySpentUsd, BigDecimal remainingDailyUsd,
            Long monthlyExecutionLimit, long monthlyExecutionCount, Long remainingExecutions,
            BigDecimal usagePercentage, boolean warningTriggered, boolean degradedMode, String enforcementMode) {
    }

    public record RatePart(Boolean allowed, String limitExceeded, Long remaining, Map<String, Long> currentUsage,
            Map<String, Long> limits, Long retryAfterSeconds, Instant resetTime) {
    }

    public record PolicyPart(int totalPolicies, int enabledPolicies, List<ActivePolicy> activePolicies,
            String combiningStrategy, String defaultEffect) {
    }

    public record ActivePolicy(String policyId, String name, String effect, int priority) {
    }

    /** Pending requests are counted by approval-service; governance reports whether any trigger is on. */
    public record ApprovalPart(boolean enabled, Integer pendingCount, ApprovalTriggerSettings triggers) {
    }

    public record UsageItems(List<AgentUsage> items) {
    }

    /** A ledger reservation ({@code /internal/v1/reservations/{id}/settle|release}). */
    public record ReservationView(String reservationId, String agentId, String organizationId, String status,
            BigDecimal estimateUsd, BigDecimal actualUsd, Instant reservedAt, Instant settledAt) {
    }

    /** The organisation's governance settings ({@code GET|PATCH /api/v1/policies/settings}). */
    public record OrganizationSettingsView(String organizationId, String combiningStrategy, String defaultEffect,
            BigDecimal monthlyBudgetUsd, ApprovalTriggerSettings approvalTriggers, Instant updatedAt) {
    }
}
