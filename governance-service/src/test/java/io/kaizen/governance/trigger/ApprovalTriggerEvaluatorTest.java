package io.kaizen.governance.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.governance.Decision.TriggerMatch;

class ApprovalTriggerEvaluatorTest {

    private static final Instant NOW = Instant.parse("2025-06-11T12:00:00Z");

    private static TriggerInput input(String payload) {
        return new TriggerInput(new BigDecimal("0.05"), 100, payload, "development", "u1", null, null,
                Instant.parse("2025-01-01T00:00:00Z"), NOW);
    }

    private static List<String> fired(ApprovalTriggerSettings settings, TriggerInput input) {
        return ApprovalTriggerEvaluator.evaluate(settings, input).stream().map(TriggerMatch::trigger).toList();
    }

    private static ApprovalTriggerSettings detectors(String... ids) {
        return new ApprovalTriggerSettings(null, null, null, List.of(ids), null, null, null, null, null);
    }

    @Test
    void nothingFiresWithoutTriggers() {
        assertThat(ApprovalTriggerEvaluator.evaluate(ApprovalTriggerSettings.NONE, input("hello"))).isEmpty();
        assertThat(ApprovalTriggerSettings.NONE.enabled()).isFalse();
    }

    @Test
    void costAboveTheThresholdFiresAndEqualDoesNot() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(new BigDecimal("100.00"), null, null, null, null,
                null, null, null, null);
        List<TriggerMatch> over = ApprovalTriggerEvaluator.evaluate(settings, new TriggerInput(new BigDecimal("150"),
                null, "", null, "u1", null, null, null, NOW));
        assertThat(over).containsExactly(new TriggerMatch("cost_threshold", "Cost threshold exceeded ($150.00 > $100.00)"));
        assertThat(ApprovalTriggerEvaluator.evaluate(settings, new TriggerInput(new BigDecimal("100.00"), null, "", null,
                "u1", null, null, null, NOW))).isEmpty();
    }

    @Test
    void tokensAboveTheThresholdFire() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(null, 50_000, null, null, null, null, null, null, null);
        assertThat(ApprovalTriggerEvaluator.evaluate(settings, new TriggerInput(null, 60_000, "", null, "u1", null,
                null, null, NOW))).containsExactly(new TriggerMatch("token_threshold", "Token threshold exceeded (60000 > 50000)"));
        assertThat(fired(settings, new TriggerInput(null, 50_000, "", null, "u1", null, null, null, NOW))).isEmpty();
        assertThat(fired(settings, new TriggerInput(null, null, "", null, "u1", null, null, null, NOW))).isEmpty();
    }

    @Test
    void payloadPatternsMatchCaseInsensitively() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(null, null, List.of("pass(word)?", "drop\\s+table"),
                null, null, null, null, null, null);
        assertThat(ApprovalTriggerEvaluator.evaluate(settings, input("please DROP   TABLE users")))
                .containsExactly(new TriggerMatch("payload_pattern", "Payload matches pattern 'drop\\s+table'"));
        assertThat(fired(settings, input("what is the weather"))).isEmpty();
    }

    @Test
    void ssnDetectorSkipsNumbersThatAreNeverIssued() {
        assertThat(fired(detectors("ssn"), input("my ssn is 123-45-6789"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("ssn"), input("000-12-3456 and 666-12-3456 and 123-00-4567"))).isEmpty();
        assertThat(fired(detectors("ssn"), input("order 2025-06-1234"))).isEmpty();
    }

    @Test
    void cardDetectorAcceptsOnlyLuhnValidNumbers() {
        // 4111 1111 1111 1111 is the classic Luhn-valid test Visa number
        assertThat(fired(detectors("credit_card"), input("card 4111 1111 1111 1111 exp 12/29"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("credit_card"), input("card 4111-1111-1111-1111"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("credit_card"), input("card 5500005555555559"))).containsExactly("sensitive_data");
        // one digit off: fails the Luhn check
        assertThat(fired(detectors("credit_card"), input("card 4111 1111 1111 1112"))).isEmpty();
        assertThat(fired(detectors("credit_card"), input("order number 1234567890123"))).isEmpty();
        assertThat(SensitiveDataDetector.luhn("79927398713")).isTrue();
        assertThat(SensitiveDataDetector.luhn("79927398710")).isFalse();
    }

    @Test
    void emailAndSecretDetectors() {
        assertThat(fired(detectors("email"), input("write to jane.smith@company.example today"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("email"), input("no address @ here"))).isEmpty();
        assertThat(fired(detectors("api_key"), input("use sk_live_" + "a".repeat(24)))).containsExactly("sensitive_data");
        assertThat(fired(detectors("api_key"), input("AKIAIOSFODNN7EXAMPLE is the key"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("api_key"), input("password: hunter2hunter2"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("api_key"), input("-----BEGIN RSA PRIVATE KEY-----"))).containsExactly("sensitive_data");
        assertThat(fired(detectors("api_key"), input("the secret of a good life"))).isEmpty();
    }

    @Test
    void everyDetectedKindIsNamedInOneReason() {
        List<TriggerMatch> matches = ApprovalTriggerEvaluator.evaluate(detectors("ssn", "email", "credit_card"),
                input("123-45-6789 to a@b.co"));
        assertThat(matches).containsExactly(new TriggerMatch("sensitive_data", "Sensitive data detected (ssn, email)"));
    }

    @Test
    void theUserRateTriggerFiresFromTheConfiguredCount() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(null, null, null, null, 3, 600, null, null, null);
        TriggerInput third = new TriggerInput(null, null, "", null, "u1", 2L, null, null, NOW);
        TriggerInput fourth = new TriggerInput(null, null, "", null, "u1", 3L, null, null, NOW);
        assertThat(fired(settings, third)).isEmpty();
        assertThat(ApprovalTriggerEvaluator.evaluate(settings, fourth)).containsExactly(new TriggerMatch("rate_trigger",
                "User u1 made 3 invocations in the last 600 s (trigger at 3)"));
    }

    @Test
    void environmentsFirstInvocationsAndNewAgents() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(null, null, null, null, null, null,
                List.of("production", "staging"), true, 24);
        TriggerInput production = new TriggerInput(null, null, "", "production", "u1", null, true,
                NOW.minusSeconds(3 * 3600), NOW);
        List<TriggerMatch> matches = ApprovalTriggerEvaluator.evaluate(settings, production);
        assertThat(matches).containsExactly(
                new TriggerMatch("environment_restriction", "Environment 'production' requires approval"),
                new TriggerMatch("first_invocation", "First invocation of this agent by user u1"),
                new TriggerMatch("new_agent", "Agent was registered 3 h ago (less than 24 h)"));
        assertThat(ApprovalTriggerEvaluator.reason(matches)).isEqualTo("Environment 'production' requires approval"
                + " | First invocation of this agent by user u1 | Agent was registered 3 h ago (less than 24 h)");
        TriggerInput established = new TriggerInput(null, null, "", "development", "u1", null, false,
                NOW.minusSeconds(25 * 3600), NOW);
        assertThat(fired(settings, established)).isEmpty();
    }

    @Test
    void agentSettingsOverrideOrganisationDefaultsFieldByField() {
        ApprovalTriggerSettings org = new ApprovalTriggerSettings(new BigDecimal("10"), 1000, null, List.of("ssn"),
                null, null, null, true, null);
        ApprovalTriggerSettings agent = new ApprovalTriggerSettings(new BigDecimal("50"), null, null, null, null, null,
                null, false, null);
        ApprovalTriggerSettings effective = agent.over(org);
        assertThat(effective.costThreshold()).isEqualByComparingTo("50");
        assertThat(effective.tokenThreshold()).isEqualTo(1000);
        assertThat(effective.sensitiveData()).containsExactly("ssn");
        assertThat(effective.requireFirstInvocation()).isFalse();
    }

    @Test
    void aCatastrophicPatternCountsAsAMatchInsteadOfHangingTheThread() {
        ApprovalTriggerSettings settings = new ApprovalTriggerSettings(null, null, List.of("(a+)+$"), null, null, null,
                null, null, null);
        assertThat(fired(settings, input("a".repeat(5_000) + "!"))).containsExactly("payload_pattern");
    }
}
