package io.kaizen.common.governance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;

/** Governance's answer for one invocation; the gateway builds its 403/429/402/202/503 responses from it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Decision(
        String decisionId,
        Outcome outcome,
        String reason,
        String reservationId,
        BigDecimal estimatedCost,
        RateLimitState rateLimit,
        boolean rateLimitFailOpen) {

    public enum Outcome {
        ALLOW, DENY_POLICY, DENY_RATE, DENY_BUDGET, REQUIRE_APPROVAL, UNAVAILABLE
    }

    /**
     * The most constraining rate-limit window after this decision: what the {@code X-RateLimit-*} and
     * {@code Retry-After} headers report.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RateLimitState(String window, long limit, long remaining, Instant resetAt, Long retryAfterSeconds) {
    }
}
