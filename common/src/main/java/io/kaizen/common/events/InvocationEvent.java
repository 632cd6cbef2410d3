package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kaizen.common.governance.Decision;

/**
 * Data of every {@code invocation.*} event: the five lineage layers plus outcome, cost and timing, so lineage and
 * governance can act on the event alone.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InvocationEvent(
        String invocationId,
        String organizationId,
        String status,
        ExternalUser externalUser,
        ExternalSystem externalSystem,
        KaizenAuth kaizenAuth,
        Agent agent,
        Trace trace,
        RequestContext request,
        Governance governance,
        Result result) {

    /**
     * The {@code result.error_code} of an invocation closed because the gateway stopped mid-call: whether the agent
     * acted is unknown, so its reservation is charged at the estimate rather than released.
     */
    public static final String OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN";


    /** Layer 1: who triggered the call in the outside system. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExternalUser(String id, String email, String name, String role) {
    }

    /** Layer 2: which system, session and parent trace it came from. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ExternalSystem(String system, String sessionId, String traceId, String context) {
    }

    /** Layer 3: which Kaizen credential, organisation and team authenticated it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KaizenAuth(String method, String subject, String apiKeyId, String apiKeyPrefix, String organizationId,
            String teamId) {
    }

    /** Layer 4: what was invoked (endpoint shown without secrets). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Agent(String id, String name, String platform, String endpoint, String version) {
    }

    /** Layer 5: generated identities for tracing. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Trace(String traceId, String spanId, String parentTraceId) {
    }

    /** Where the call came from; {@code headers} are the inbound request headers without credentials. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RequestContext(String ipAddress, String userAgent, Instant requestedAt, Map<String, String> headers) {

        public RequestContext(String ipAddress, String userAgent, Instant requestedAt) {
            this(ipAddress, userAgent, requestedAt, null);
        }
    }

    /**
     * The governance outcome. {@code matchedPolicyId} is the policy that decided, {@code matchedPolicies} every policy
     * whose conditions matched and {@code policyVersions} the version of every enabled policy evaluated (an allowed
     * decision has no event of its own: this is its record), {@code budgetRemainingBefore} and
     * {@code budgetRemainingAfter} the budget left in USD around the call and {@code rateLimitRemaining} the calls
     * left in the rate window, each null when not known to the emitter.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Governance(String decision, String decisionId, String reason, String reservationId,
            String approvalId, String approvalStatus, String matchedPolicyId, BigDecimal budgetRemainingBefore,
            BigDecimal budgetRemainingAfter, Long rateLimitRemaining, List<String> matchedPolicies,
            List<Decision.PolicyVersion> policyVersions) {

        public Governance(String decision, String decisionId, String reason, String reservationId, String approvalId,
                String approvalStatus, String matchedPolicyId, BigDecimal budgetRemainingBefore,
                BigDecimal budgetRemainingAfter, Long rateLimitRemaining) {
            this(decision, decisionId, reason, reservationId, approvalId, approvalStatus, matchedPolicyId,
                    budgetRemainingBefore, budgetRemainingAfter, rateLimitRemaining, null, null);
        }

        public Governance(String decision, String decisionId, String reason, String reservationId, String approvalId,
                String approvalStatus) {
            this(decision, decisionId, reason, reservationId, approvalId, approvalStatus, null, null, null, null);
        }
    }

    /**
     * How the invocation ended. {@code costUsd} is what the caller is charged; {@code reportedCostUsd} is the cost
     * the agent reported, null when it reported none; {@code inputTokens} and {@code outputTokens} are the token
     * counts it reported, each null when absent or not believable. Governance settles at the reported cost, else at
     * the agent's token rates when a count was reported, else at its {@code cost_per_execution}; never at a number
     * the event merely carries. {@code deliveryStatus} is how the answer's delivery stands ({@code pending},
     * {@code delivered}, {@code failed}), null when there is none to deliver.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Result(Instant completedAt, Long durationMs, BigDecimal costUsd, Integer responseStatusCode,
            String errorCode, String errorMessage, BigDecimal reportedCostUsd, Long inputTokens, Long outputTokens,
            String deliveryStatus) {

        /** A result whose delivery to the outside platform is not reported. */
        public Result(Instant completedAt, Long durationMs, BigDecimal costUsd, Integer responseStatusCode,
                String errorCode, String errorMessage, BigDecimal reportedCostUsd, Long inputTokens, Long outputTokens) {
            this(completedAt, durationMs, costUsd, responseStatusCode, errorCode, errorMessage, reportedCostUsd,
                    inputTokens, outputTokens, null);
        }

        /** A result without a cost or token counts reported by the agent. */
        public Result(Instant completedAt, Long durationMs, BigDecimal costUsd, Integer responseStatusCode,
                String errorCode, String errorMessage) {
            this(completedAt, durationMs, costUsd, responseStatusCode, errorCode, errorMessage, null, null, null);
        }

        /** A result without token counts reported by the agent. */
        public Result(Instant completedAt, Long durationMs, BigDecimal costUsd, Integer responseStatusCode,
                String errorCode, String errorMessage, BigDecimal reportedCostUsd) {
            this(completedAt, durationMs, costUsd, responseStatusCode, errorCode, errorMessage, reportedCostUsd, null,
                    null);
        }
    }
}
