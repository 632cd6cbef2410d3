package io.kaizen.governance.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class PolicyEvaluatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Wednesday, 14:30 UTC (10:30 in New York, daylight saving time). */
    private static final Instant WEDNESDAY = Instant.parse("2025-06-11T14:30:00Z");

    private static PolicyContext context(Instant now) {
        return new PolicyContext("org_1", "agt_1", "teams", List.of("hr", "approved"), "production", "u1", "sub-1",
                List.of("developer"), "team-a", "10.1.2.3", "US", new BigDecimal("0.25"), 1200, now);
    }

    private static PolicyContext context() {
        return context(WEDNESDAY);
    }

    private static Condition condition(String json) {
        return PolicyValidator.condition(node(json), "conditions[0]");
    }

    private static JsonNode node(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Policy policy(String id, Effect effect, int priority, String... conditions) {
        return new Policy(id, "policy " + id, effect, priority, true, 1, Policy.Target.ALL, true,
                java.util.Arrays.stream(conditions).map(PolicyEvaluatorTest::condition).toList());
    }

    private static boolean matches(String condition) {
        return condition(condition).matches(context());
    }

    @Test
    void timeWindowsFollowTheirZoneAndDays() {
        assertThat(matches("{\"type\":\"time_window\",\"days\":[\"mon\",\"wed\"],\"start_time\":\"09:00\",\"end_time\":\"17:00\",\"timezone\":\"America/New_York\"}")).isTrue();
        // 10:30 in New York is before eleven o'clock
        assertThat(matches("{\"type\":\"time_window\",\"start_time\":\"11:00\",\"end_time\":\"17:00\",\"timezone\":\"America/New_York\"}")).isFalse();
        assertThat(matches("{\"type\":\"time_window\",\"days\":[\"thursday\"],\"start_time\":\"00:00\",\"end_time\":\"23:59\",\"timezone\":\"UTC\"}")).isFalse();
        // an overnight window belongs to the day it starts on: 23:30 on Wednesday in Tokyo, 03:00 on Wednesday in UTC
        assertThat(condition("{\"type\":\"time_window\",\"days\":[\"wed\"],\"start_time\":\"22:00\",\"end_time\":\"06:00\",\"timezone\":\"Asia/Tokyo\"}")
                .matches(context(Instant.parse("2025-06-11T14:30:00Z")))).isTrue();
        assertThat(condition("{\"type\":\"time_window\",\"days\":[\"tue\"],\"start_time\":\"22:00\",\"end_time\":\"06:00\",\"timezone\":\"UTC\"}")
                .matches(context(Instant.parse("2025-06-11T03:00:00Z")))).isTrue();
        assertThat(condition("{\"type\":\"time_window\",\"days\":[\"wed\"],\"start_time\":\"22:00\",\"end_time\":\"06:00\",\"timezone\":\"UTC\"}")
                .matches(context(Instant.parse("2025-06-11T03:00:00Z")))).isFalse();
    }

    @Test
    void dateRangesIncludeTheirStartAndExcludeTheirEnd() {
        String range = "{\"type\":\"date_range\",\"start\":\"2025-06-11T14:30:00Z\",\"end\":\"2025-06-11T15:00:00Z\"}";
        assertThat(condition(range).matches(context(Instant.parse("2025-06-11T14:30:00Z")))).isTrue();
        assertThat(condition(range).matches(context(Instant.parse("2025-06-11T15:00:00Z")))).isFalse();
        assertThat(condition(range).matches(context(Instant.parse("2025-06-11T14:29:59Z")))).isFalse();
    }

    @Test
    void membershipConditionsCompareCaseInsensitively() {
        assertThat(matches("{\"type\":\"environment\",\"environments\":[\"production\"]}")).isTrue();
        assertThat(matches("{\"type\":\"environment\",\"environments\":[\"staging\",\"development\"]}")).isFalse();
        assertThat(matches("{\"type\":\"platform\",\"platforms\":[\"teams\"]}")).isTrue();
        assertThat(matches("{\"type\":\"platform\",\"platforms\":[\"slack\"]}")).isFalse();
        assertThat(matches("{\"type\":\"agent_tags\",\"tags\":[\"HR\"]}")).isTrue();
        assertThat(matches("{\"type\":\"agent_tags\",\"tags\":[\"finance\"]}")).isFalse();
        assertThat(matches("{\"type\":\"country\",\"countries\":[\"us\",\"CA\"]}")).isTrue();
        assertThat(matches("{\"type\":\"country\",\"countries\":[\"CN\",\"RU\",\"KP\"]}")).isFalse();
        assertThat(matches("{\"type\":\"role\",\"roles\":[\"developer\"]}")).isTrue();
        assertThat(matches("{\"type\":\"role\",\"roles\":[\"org_owner\"]}")).isFalse();
        assertThat(matches("{\"type\":\"team\",\"teams\":[\"team-a\"]}")).isTrue();
        assertThat(matches("{\"type\":\"team\",\"teams\":[\"team-b\"]}")).isFalse();
    }

    @Test
    void ipConditionsMatchV4AndV6Networks() {
        assertThat(matches("{\"type\":\"ip\",\"cidrs\":[\"10.0.0.0/8\"]}")).isTrue();
        assertThat(matches("{\"type\":\"ip\",\"cidrs\":[\"192.168.1.0/24\",\"10.1.2.4/32\"]}")).isFalse();
        PolicyContext v6 = new PolicyContext("org_1", "agt_1", null, null, null, null, null, null, null,
                "2001:db8::17", null, null, null, WEDNESDAY);
        assertThat(condition("{\"type\":\"ip\",\"cidrs\":[\"2001:db8::/32\"]}").matches(v6)).isTrue();
        assertThat(condition("{\"type\":\"ip\",\"cidrs\":[\"2001:db9::/32\",\"10.0.0.0/8\"]}").matches(v6)).isFalse();
    }

    @Test
    void unknownAttributesFailPlainConditionsAndPassNegatedOnes() {
        PolicyContext anonymous = new PolicyContext("org_1", "agt_1", null, null, null, null, null, null, null, null,
                null, null, null, WEDNESDAY);
        assertThat(condition("{\"type\":\"country\",\"countries\":[\"US\"]}").matches(anonymous)).isFalse();
        assertThat(condition("{\"type\":\"country\",\"countries\":[\"US\"],\"negate\":true}").matches(anonymous)).isTrue();
        assertThat(condition("{\"type\":\"ip\",\"cidrs\":[\"0.0.0.0/0\"]}").matches(anonymous)).isFalse();
    }

    @Test
    void genericAttributeOperators() {
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"eq\",\"value\":\"u1\"}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"user.id\",\"op\":\"ne\",\"value\":\"u1\"}")).isFalse();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"tokens\",\"op\":\"gt\",\"value\":1199}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"tokens\",\"op\":\"gt\",\"value\":1200}")).isFalse();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"tokens\",\"op\":\"gte\",\"value\":1200}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"estimated_cost\",\"op\":\"lt\",\"value\":0.25}")).isFalse();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"estimated_cost\",\"op\":\"lte\",\"value\":0.25}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"time.hour\",\"op\":\"eq\",\"value\":14}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"time.weekday\",\"op\":\"in\",\"value\":[5,6]}")).isFalse();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"time.weekday\",\"op\":\"eq\",\"value\":2}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"environment\",\"op\":\"in\",\"value\":[\"production\",\"staging\"]}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"environment\",\"op\":\"not_in\",\"value\":[\"production\"]}")).isFalse();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"agent.tags\",\"op\":\"contains\",\"value\":\"approved\"}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"user.subject\",\"op\":\"contains\",\"value\":\"ub-\"}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"user.roles\",\"op\":\"regex\",\"value\":\"^dev\"}")).isTrue();
        assertThat(matches("{\"type\":\"attribute\",\"attribute\":\"ip\",\"op\":\"regex\",\"value\":\"^192\\\\.\"}")).isFalse();
    }

    @Test
    void noEnabledPolicyAllowsAndPoliciesThatDoNotApplyGiveTheDefaultEffect() {
        PolicyEvaluation none = PolicyEvaluator.evaluate(List.of(), CombiningStrategy.DENY_OVERRIDES, Effect.DENY, context());
        assertThat(none.effect()).isEqualTo(Effect.ALLOW);
        assertThat(none.reason()).isEqualTo("no enabled policy");

        Policy disabled = new Policy("pol_d", "off", Effect.DENY, 1, false, 1, Policy.Target.ALL, true, List.of());
        assertThat(PolicyEvaluator.evaluate(List.of(disabled), CombiningStrategy.DENY_OVERRIDES, Effect.DENY, context())
                .effect()).isEqualTo(Effect.ALLOW);

        Policy staging = policy("pol_s", Effect.ALLOW, 10, "{\"type\":\"environment\",\"environments\":[\"staging\"]}");
        PolicyEvaluation deny = PolicyEvaluator.evaluate(List.of(staging), CombiningStrategy.DENY_OVERRIDES, Effect.DENY,
                context());
        assertThat(deny.effect()).isEqualTo(Effect.DENY);
        assertThat(deny.defaultEffectApplied()).isTrue();
        assertThat(deny.reason()).isEqualTo("no policy applies and the organisation's default effect is deny");
        assertThat(PolicyEvaluator.evaluate(List.of(staging), CombiningStrategy.DENY_OVERRIDES, Effect.ALLOW, context())
                .effect()).isEqualTo(Effect.ALLOW);
    }

    @Test
    void denyOverridesWhateverThePriority() {
        Policy allow = policy("pol_a", Effect.ALLOW, 1);
        Policy deny = policy("pol_b", Effect.DENY, 50, "{\"type\":\"country\",\"countries\":[\"US\"]}");
        PolicyEvaluation result = PolicyEvaluator.evaluate(List.of(allow, deny), CombiningStrategy.DENY_OVERRIDES,
                Effect.DENY, context());
        assertThat(result.effect()).isEqualTo(Effect.DENY);
        assertThat(result.decidingPolicyId()).isEqualTo("pol_b");
        assertThat(result.reason()).isEqualTo("policy pol_b");
        assertThat(result.matchedPolicies()).containsExactly("pol_a", "pol_b");
    }

    @Test
    void allowOverridesWhateverThePriority() {
        Policy deny = policy("pol_a", Effect.DENY, 1);
        Policy allow = policy("pol_b", Effect.ALLOW, 50);
        PolicyEvaluation result = PolicyEvaluator.evaluate(List.of(deny, allow), CombiningStrategy.ALLOW_OVERRIDES,
                Effect.DENY, context());
        assertThat(result.effect()).isEqualTo(Effect.ALLOW);
        assertThat(result.decidingPolicyId()).isEqualTo("pol_b");
    }

    @Test
    void firstApplicableFollowsPriorityLowerNumberFirst() {
        Policy allow = policy("pol_z", Effect.ALLOW, 5);
        Policy deny = policy("pol_a", Effect.DENY, 20);
        Policy notApplying = policy("pol_0", Effect.DENY, 1, "{\"type\":\"role\",\"roles\":[\"viewer\"]}");
        PolicyEvaluation result = PolicyEvaluator.evaluate(List.of(deny, notApplying, allow),
                CombiningStrategy.FIRST_APPLICABLE, Effect.DENY, context());
        assertThat(result.effect()).isEqualTo(Effect.ALLOW);
        assertThat(result.decidingPolicyId()).isEqualTo("pol_z");
        assertThat(result.policies()).extracting(PolicyEvaluation.PolicyTrace::policyId)
                .containsExactly("pol_0", "pol_z", "pol_a");

        Policy earlierDeny = policy("pol_b", Effect.DENY, 5);
        // equal priorities: the older id (creation order) first
        assertThat(PolicyEvaluator.evaluate(List.of(allow, earlierDeny), CombiningStrategy.FIRST_APPLICABLE,
                Effect.ALLOW, context()).decidingPolicyId()).isEqualTo("pol_b");
    }

    @Test
    void matchAllNeedsEveryConditionAndMatchAnyOne() {
        Condition production = condition("{\"type\":\"environment\",\"environments\":[\"production\"]}");
        Condition slack = condition("{\"type\":\"platform\",\"platforms\":[\"slack\"]}");
        Policy all = new Policy("pol_1", "all", Effect.DENY, 1, true, 1, Policy.Target.ALL, true, List.of(production, slack));
        Policy any = new Policy("pol_1", "any", Effect.DENY, 1, true, 1, Policy.Target.ALL, false, List.of(production, slack));
        assertThat(PolicyEvaluator.evaluate(List.of(all), CombiningStrategy.DENY_OVERRIDES, Effect.ALLOW, context())
                .effect()).isEqualTo(Effect.ALLOW);
        PolicyEvaluation anyResult = PolicyEvaluator.evaluate(List.of(any), CombiningStrategy.DENY_OVERRIDES,
                Effect.ALLOW, context());
        assertThat(anyResult.effect()).isEqualTo(Effect.DENY);
        assertThat(anyResult.policies().get(0).conditions()).extracting(PolicyEvaluation.ConditionTrace::matched)
                .containsExactly(true, false);
    }

    @Test
    void targetsLimitPoliciesToAgentsPlatformsAndTags() {
        Policy otherAgent = new Policy("pol_1", "x", Effect.DENY, 1, true, 1,
                PolicyValidator.target(node("{\"agent_ids\":[\"agt_2\"]}"), "target"), true, List.of());
        Policy hrTagged = new Policy("pol_2", "y", Effect.DENY, 1, true, 1,
                PolicyValidator.target(node("{\"platforms\":[\"teams\"],\"tags\":[\"hr\"]}"), "target"), true, List.of());
        assertThat(PolicyEvaluator.evaluate(List.of(otherAgent), CombiningStrategy.DENY_OVERRIDES, Effect.ALLOW,
                context()).effect()).isEqualTo(Effect.ALLOW);
        assertThat(PolicyEvaluator.evaluate(List.of(hrTagged), CombiningStrategy.DENY_OVERRIDES, Effect.ALLOW,
                context()).decidingPolicyId()).isEqualTo("pol_2");
    }

    @Test
    void anEvaluationErrorDenies() {
        Condition broken = new Condition.OneOf("team", c -> {
            throw new IllegalStateException("boom");
        }, java.util.Set.of("x"), false);
        Policy policy = new Policy("pol_e", "broken", Effect.ALLOW, 1, true, 1, Policy.Target.ALL, true, List.of(broken));
        PolicyEvaluation result = PolicyEvaluator.evaluate(List.of(policy), CombiningStrategy.ALLOW_OVERRIDES,
                Effect.ALLOW, context());
        assertThat(result.effect()).isEqualTo(Effect.DENY);
        assertThat(result.reason()).isEqualTo("policy 'broken' could not be evaluated");
        assertThat(result.policies().get(0).error()).isEqualTo("boom");
    }
}
