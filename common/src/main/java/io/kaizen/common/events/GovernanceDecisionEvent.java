package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.kaizen.common.governance.Decision;

/**
 * Data of {@code decision.evaluated} (every decision that is not a denial, kept light) and {@code decision.denied}
 * (with the rate-limit window or budget scope that denied). Never carries the payload text.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GovernanceDecisionEvent(
        String decisionId,
        String organizationId,
        String agentId,
        String invocationId,
        String userId,
        String outcome,
        String reason,
        String policyId,
        List<String> matchedPolicies,
        List<Decision.PolicyVersion> policyVersions,
        String reservationId,
        BigDecimal estimatedCost,
        Decision.RateLimitState rateLimit,
        Decision.BudgetState budget,
        List<Decision.TriggerMatch> approvalTriggers,
        Instant occurredAt) {
}
