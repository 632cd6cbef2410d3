package io.kaizen.gateway.service;

import java.util.List;

import io.kaizen.common.governance.Decision;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;

/**
 * The caller's answer to a decision that stops an invocation: 403 policy, 429 rate limit, 402 budget, otherwise
 * 503 (governance unavailable). A decision that asks for approval holds the call instead (202). Bodies and headers follow the
 * reference contract (original-spec §2.3.6).
 */
final class GovernanceProblems {

    private GovernanceProblems() {
    }

    static ErrorCode errorCode(Decision decision) {
        return switch (decision.outcome()) {
            case DENY_RATE -> ErrorCode.RATE_LIMIT_EXCEEDED;
            case DENY_POLICY -> ErrorCode.POLICY_DENIED;
            case DENY_BUDGET -> ErrorCode.BUDGET_EXCEEDED;
            default -> ErrorCode.GOVERNANCE_UNAVAILABLE;
        };
    }

    static ProblemException of(Decision decision, String invocationId) {
        ProblemException problem = switch (decision.outcome()) {
            case DENY_RATE -> rateLimited(decision);
            case DENY_POLICY -> policyDenied(decision);
            case DENY_BUDGET -> budgetExceeded(decision);
            default -> new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE,
                    decision.reason() == null ? "Governance unavailable" : decision.reason())
                    .header("Retry-After", "5");
        };
        return problem.with("invocation_id", invocationId)
                .with("decision_id", decision.decisionId())
                .header("X-Kaizen-Invocation-ID", invocationId);
    }

    private static ProblemException rateLimited(Decision decision) {
        Decision.RateLimitState state = decision.rateLimit();
        return new ProblemException(429, ErrorCode.RATE_LIMIT_EXCEEDED, decision.reason())
                .with("retry_after_seconds", state.retryAfterSeconds())
                .with("limit", state.limit())
                .with("remaining", 0)
                .with("window", state.window())
                .with("reset_time", state.resetAt().toString())
                .header("Retry-After", Long.toString(state.retryAfterSeconds()))
                .header("X-RateLimit-Limit", Long.toString(state.limit()))
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", state.resetAt().toString());
    }

    private static ProblemException policyDenied(Decision decision) {
        Decision.PolicyResult policy = decision.policy();
        return new ProblemException(403, ErrorCode.POLICY_DENIED, "Policy denied: " + decision.reason())
                .with("policy_id", policy == null ? null : policy.policyId())
                .with("matched_policies", policy == null ? List.of() : policy.matchedPolicies());
    }

    private static ProblemException budgetExceeded(Decision decision) {
        Decision.BudgetState budget = decision.budget();
        ProblemException problem = new ProblemException(402, ErrorCode.BUDGET_EXCEEDED,
                "Budget limit exceeded: " + decision.reason());
        if (budget == null) {
            return problem;
        }
        problem.with("scope", budget.scope())
                .with("unit", budget.unit())
                .with("period", budget.period())
                .with("limit", budget.limit())
                .with("spent", budget.spent())
                .with("reserved", budget.reserved())
                .with("estimate", budget.estimate())
                .with("budget_limit", budget.limit())
                .with("budget_remaining", budget.remaining())
                .with("resets_at", budget.resetsAt().toString())
                .header("X-Budget-Limit", budget.limit().toPlainString())
                .header("X-Budget-Current", budget.spent().toPlainString())
                .header("X-Budget-Reset", budget.resetsAt().toString());
        return problem;
    }
}
