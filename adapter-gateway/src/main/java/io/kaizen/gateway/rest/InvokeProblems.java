package io.kaizen.gateway.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The domain fields of the problems the invoke path answers with, for its OpenAPI document only: the bodies are
 * written by {@code GovernanceProblems} and {@code InvocationService}, and the common problem fields are added to
 * each of these schemas by {@code WireContract}. The system tests hold the two together.
 */
final class InvokeProblems {

    private InvokeProblems() {
    }

    @Schema(name = "BudgetExceededProblem", description = "A budget scope would be exceeded (BUDGET_EXCEEDED)")
    record BudgetExceeded(
            @Schema(required = true) String invocationId,
            @Schema(required = true) String decisionId,
            @Schema(enumeration = {"monthly", "weekly", "daily", "monthly_executions", "weekly_executions",
                    "daily_executions", "organization_monthly"}) String scope,
            @Schema(enumeration = {"usd", "executions"}) String unit,
            @Schema(enumeration = {"monthly", "weekly", "daily"}) String period,
            BigDecimal limit,
            BigDecimal spent,
            BigDecimal reserved,
            BigDecimal estimate,
            BigDecimal budgetLimit,
            @Schema(nullable = true) BigDecimal budgetRemaining,
            Instant resetsAt) {
    }

    @Schema(name = "InvokeForbiddenProblem",
            description = "A policy denied the call (POLICY_DENIED, with these fields) or a permission is missing")
    record Forbidden(
            String invocationId,
            String decisionId,
            @Schema(nullable = true) String policyId,
            List<String> matchedPolicies) {
    }

    @Schema(name = "RateLimitedProblem", description = "A rate-limit window is full (RATE_LIMIT_EXCEEDED)")
    record RateLimited(
            @Schema(required = true) String invocationId,
            @Schema(required = true) String decisionId,
            @Schema(required = true) long retryAfterSeconds,
            @Schema(required = true) long limit,
            @Schema(required = true) long remaining,
            @Schema(required = true) String window,
            @Schema(required = true) Instant resetTime) {
    }

    @Schema(name = "UpstreamProblem", description = "The agent failed or did not answer in time")
    record Upstream(
            @Schema(required = true) String invocationId,
            @Schema(description = "The agent's HTTP status, when it answered") int upstreamStatus) {
    }

    @Schema(name = "InvokeUnavailableProblem", description = "Governance or the registry could not be asked")
    record Unavailable(String invocationId, String decisionId) {
    }
}
