package io.kaizen.governance.policy;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The result of evaluating an organisation's policies for one invocation, with the trace of every policy (what
 * {@code POST /api/v1/policies/simulate} shows).
 */
public record PolicyEvaluation(Effect effect, String reason, String decidingPolicyId, List<String> matchedPolicies,
        List<PolicyTrace> policies, boolean defaultEffectApplied) {

    public boolean denied() {
        return effect == Effect.DENY;
    }

    /**
     * How one policy fared: whether its target matched, each condition's result (null when not evaluated), whether
     * it applied, and the evaluation error if any.
     */
    public record PolicyTrace(
            String policyId,
            String name,
            int version,
            Effect effect,
            int priority,
            boolean enabled,
            boolean targetMatched,
            List<ConditionTrace> conditions,
            boolean applicable,
            @Schema(nullable = true) String error) {
    }

    public record ConditionTrace(int index, String type, boolean matched) {
    }
}
