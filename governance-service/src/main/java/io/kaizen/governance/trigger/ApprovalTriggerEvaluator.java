package io.kaizen.governance.trigger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.kaizen.common.governance.Decision.TriggerMatch;
import io.kaizen.governance.policy.SafeRegex;

/**
 * Decides which approval triggers (DESIGN §5, original-spec §8.2) fire for one invocation; pure. Every matched
 * trigger is reported; the decision's reason joins their reasons with {@code " | "}.
 */
public final class ApprovalTriggerEvaluator {

    public static final String SEPARATOR = " | ";

    private ApprovalTriggerEvaluator() {
    }

    public static List<TriggerMatch> evaluate(ApprovalTriggerSettings settings, TriggerInput input) {
        List<TriggerMatch> matches = new ArrayList<>();
        if (settings == null) {
            return matches;
        }
        if (settings.costThreshold() != null && input.estimatedCost() != null
                && input.estimatedCost().compareTo(settings.costThreshold()) > 0) {
            matches.add(new TriggerMatch("cost_threshold", "Cost threshold exceeded (" + usd(input.estimatedCost())
                    + " > " + usd(settings.costThreshold()) + ")"));
        }
        if (settings.tokenThreshold() != null && input.tokens() != null && input.tokens() > settings.tokenThreshold()) {
            matches.add(new TriggerMatch("token_threshold", "Token threshold exceeded (" + input.tokens() + " > "
                    + settings.tokenThreshold() + ")"));
        }
        String payload = input.payload() == null ? "" : input.payload();
        if (settings.payloadPatterns() != null) {
            for (String pattern : settings.payloadPatterns()) {
                if (matchesPayload(pattern, payload)) {
                    matches.add(new TriggerMatch("payload_pattern", "Payload matches pattern '" + pattern + "'"));
                    break;
                }
            }
        }
        if (settings.sensitiveData() != null) {
            List<String> found = new ArrayList<>();
            for (String id : settings.sensitiveData()) {
                SensitiveDataDetector detector = SensitiveDataDetector.byId(id);
                if (detector != null && detects(detector, payload)) {
                    found.add(detector.id());
                }
            }
            if (!found.isEmpty()) {
                matches.add(new TriggerMatch("sensitive_data", "Sensitive data detected (" + String.join(", ", found) + ")"));
            }
        }
        if (settings.countsUserRate() && input.priorUserInvocations() != null
                && input.priorUserInvocations() >= settings.rateTriggerCount()) {
            matches.add(new TriggerMatch("rate_trigger", "User " + input.userId() + " made "
                    + input.priorUserInvocations() + " invocations in the last " + settings.rateWindowSeconds()
                    + " s (trigger at " + settings.rateTriggerCount() + ")"));
        }
        if (settings.environmentsRequiringApproval() != null && input.environment() != null
                && settings.environmentsRequiringApproval().stream()
                        .anyMatch(e -> e.equalsIgnoreCase(input.environment()))) {
            matches.add(new TriggerMatch("environment_restriction", "Environment '"
                    + input.environment().toLowerCase(Locale.ROOT) + "' requires approval"));
        }
        if (settings.checksFirstInvocation() && Boolean.TRUE.equals(input.firstInvocation())) {
            matches.add(new TriggerMatch("first_invocation", "First invocation of this agent by user " + input.userId()));
        }
        if (settings.newAgentHours() != null && input.agentCreatedAt() != null) {
            Duration age = Duration.between(input.agentCreatedAt(), input.now());
            if (age.compareTo(Duration.ofHours(settings.newAgentHours())) < 0) {
                matches.add(new TriggerMatch("new_agent", "Agent was registered " + Math.max(0, age.toHours())
                        + " h ago (less than " + settings.newAgentHours() + " h)"));
            }
        }
        return matches;
    }

    public static String reason(List<TriggerMatch> matches) {
        return String.join(SEPARATOR, matches.stream().map(TriggerMatch::reason).toList());
    }

    /** A pattern too expensive to evaluate counts as a match: the call then waits for a human. */
    private static boolean matchesPayload(String pattern, String payload) {
        try {
            return SafeRegex.find(SafeRegex.compile(pattern, true), payload);
        } catch (SafeRegex.TooExpensive e) {
            return true;
        }
    }

    private static boolean detects(SensitiveDataDetector detector, String payload) {
        try {
            return detector.detect(payload);
        } catch (SafeRegex.TooExpensive e) {
            return true;
        }
    }

    private static String usd(BigDecimal amount) {
        return "$" + amount.setScale(Math.max(2, Math.min(6, amount.stripTrailingZeros().scale())), RoundingMode.HALF_UP)
                .toPlainString();
    }
}
