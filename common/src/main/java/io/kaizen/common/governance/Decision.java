package io.kaizen.common.governance;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Governance's answer for one invocation; the gateway builds its 403/429/402/202/503 responses from it.
 * {@code reason} is the human sentence of the outcome (for REQUIRE_APPROVAL the matched triggers' reasons joined
 * with {@code " | "}); {@code policy} says which policies decided, {@code budget} the budget scope that was checked
 * (the exceeded one on DENY_BUDGET), {@code approvalTriggers} what asks for a human decision.
 * {@code estimatedCost} is what was reserved: the agent's {@code cost_per_execution} or the caller's estimate when
 * that is higher; {@code costPerExecution} is what the call is charged when the agent reports neither a cost nor
 * token counts; {@code tokenRates} prices a call whose agent reports token counts but no cost.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Decision(
        String decisionId,
        Outcome outcome,
        @Schema(nullable = true) String reason,
        @Schema(nullable = true) String reservationId,
        @Schema(nullable = true) BigDecimal estimatedCost,
        @Schema(nullable = true) RateLimitState rateLimit,
        boolean rateLimitFailOpen,
        @Schema(nullable = true) PolicyResult policy,
        @Schema(nullable = true) BudgetState budget,
        List<TriggerMatch> approvalTriggers,
        @Schema(nullable = true) BigDecimal costPerExecution,
        @Schema(nullable = true) TokenRates tokenRates) {

    public enum Outcome {
        ALLOW, DENY_POLICY, DENY_RATE, DENY_BUDGET, REQUIRE_APPROVAL, UNAVAILABLE
    }

    /** A decision that carries nothing but its outcome and reason (used when governance could not decide). */
    public static Decision of(String decisionId, Outcome outcome, String reason) {
        return new Decision(decisionId, outcome, reason, null, null, null, false, null, null, List.of(), null, null);
    }

    /**
     * The most constraining rate-limit window after this decision: what the {@code X-RateLimit-*} and
     * {@code Retry-After} headers report.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimitState(
            String window,
            long limit,
            long remaining,
            Instant resetAt,
            @Schema(nullable = true) Long retryAfterSeconds) {
    }

    /**
     * The ABAC part of a decision: the policy that decided (null when no policy applied), every policy that
     * applied, and the version of each policy that was evaluated.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PolicyResult(
            @Schema(nullable = true) String effect,
            @Schema(nullable = true) String policyId,
            List<String> matchedPolicies,
            List<PolicyVersion> policyVersions,
            boolean defaultEffectApplied) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PolicyVersion(String policyId, int version) {
    }

    /**
     * One budget scope as the decision saw it. {@code unit} is {@code usd} (limit, spent, reserved and estimate in
     * USD) or {@code executions} (counts). {@code scope} is {@code monthly}, {@code weekly}, {@code daily},
     * {@code monthly_executions}, {@code weekly_executions}, {@code daily_executions} or
     * {@code organization_monthly}; {@code period} is {@code monthly} or {@code daily} (UTC calendar month or day) or
     * {@code weekly} (from Monday 00:00 in the organisation's time zone) and {@code resetsAt} its end. A USD
     * {@code limit} includes the rollover from the previous period.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BudgetState(String scope, String unit, String period, BigDecimal limit, BigDecimal spent,
            BigDecimal reserved, BigDecimal estimate, BigDecimal remaining, Instant resetsAt, String enforcementMode,
            BigDecimal usagePercentage, boolean warningTriggered, boolean degradedMode) {
    }

    /** One approval trigger that fired: its id ({@code cost_threshold}, {@code sensitive_data}, …) and reason. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TriggerMatch(String trigger, String reason) {
    }
}
