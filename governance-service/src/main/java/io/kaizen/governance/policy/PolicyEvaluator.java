package io.kaizen.governance.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.kaizen.governance.policy.PolicyEvaluation.ConditionTrace;
import io.kaizen.governance.policy.PolicyEvaluation.PolicyTrace;

/**
 * Evaluates an organisation's ABAC policies for one invocation; pure and side-effect free. Policies run in priority
 * order (lower number first, then by id, which is creation order). No enabled policy allows; enabled policies of
 * which none applies give the organisation's default effect; an error while evaluating a policy denies.
 */
public final class PolicyEvaluator {

    public static final String NO_POLICY = "no enabled policy";

    private PolicyEvaluator() {
    }

    public static PolicyEvaluation evaluate(List<Policy> policies, CombiningStrategy strategy, Effect defaultEffect,
            PolicyContext context) {
        List<Policy> ordered = policies.stream()
                .sorted(Comparator.comparingInt(Policy::priority).thenComparing(Policy::id))
                .toList();
        List<PolicyTrace> traces = new ArrayList<>();
        List<Policy> applicable = new ArrayList<>();
        Policy failed = null;
        for (Policy policy : ordered) {
            PolicyTrace trace = trace(policy, context);
            traces.add(trace);
            if (trace.error() != null && failed == null) {
                failed = policy;
            }
            if (trace.applicable()) {
                applicable.add(policy);
            }
        }
        List<String> matched = applicable.stream().map(Policy::id).toList();
        if (failed != null) {
            return new PolicyEvaluation(Effect.DENY, "policy '" + failed.name() + "' could not be evaluated",
                    failed.id(), matched, traces, false);
        }
        if (ordered.stream().noneMatch(Policy::enabled)) {
            return new PolicyEvaluation(Effect.ALLOW, NO_POLICY, null, matched, traces, false);
        }
        Policy deciding = switch (strategy) {
            case DENY_OVERRIDES -> first(applicable, Effect.DENY, Effect.ALLOW);
            case ALLOW_OVERRIDES -> first(applicable, Effect.ALLOW, Effect.DENY);
            case FIRST_APPLICABLE -> applicable.isEmpty() ? null : applicable.get(0);
        };
        if (deciding == null) {
            return new PolicyEvaluation(defaultEffect, "no policy applies and the organisation's default effect is "
                    + defaultEffect.wire(), null, matched, traces, true);
        }
        return new PolicyEvaluation(deciding.effect(), deciding.name(), deciding.id(), matched, traces, false);
    }

    /** The first applicable policy with the winning effect, else the first with the other effect. */
    private static Policy first(List<Policy> applicable, Effect winning, Effect other) {
        return applicable.stream().filter(p -> p.effect() == winning).findFirst()
                .orElseGet(() -> applicable.stream().filter(p -> p.effect() == other).findFirst().orElse(null));
    }

    private static PolicyTrace trace(Policy policy, PolicyContext context) {
        boolean targetMatched = policy.target().matches(context);
        List<ConditionTrace> conditions = new ArrayList<>();
        if (!policy.enabled() || !targetMatched) {
            return new PolicyTrace(policy.id(), policy.name(), policy.version(), policy.effect(), policy.priority(),
                    policy.enabled(), targetMatched, conditions, false, null);
        }
        try {
            boolean any = false;
            boolean all = true;
            for (int i = 0; i < policy.conditions().size(); i++) {
                Condition condition = policy.conditions().get(i);
                boolean matched = condition.matches(context);
                conditions.add(new ConditionTrace(i, condition.type(), matched));
                any |= matched;
                all &= matched;
            }
            boolean applies = policy.conditions().isEmpty() || (policy.matchAll() ? all : any);
            return new PolicyTrace(policy.id(), policy.name(), policy.version(), policy.effect(), policy.priority(),
                    true, true, conditions, applies, null);
        } catch (RuntimeException e) {
            return new PolicyTrace(policy.id(), policy.name(), policy.version(), policy.effect(), policy.priority(),
                    true, true, conditions, false, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }
}
