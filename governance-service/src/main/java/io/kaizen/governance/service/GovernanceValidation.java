package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;

import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.governance.TokenRates;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.TextLength;
import io.kaizen.governance.budget.BudgetAlertConfig;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.policy.SafeRegex;
import io.kaizen.governance.rest.GovernanceRequests.BudgetConfig;
import io.kaizen.governance.rest.GovernanceRequests.RateLimitConfig;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;
import io.kaizen.governance.trigger.SensitiveDataDetector;

/** Checks governance settings before they are stored; each failure is a 400 naming the field. Pure. */
public final class GovernanceValidation {

    private static final BigDecimal MAX_USD = new BigDecimal("1000000000");
    private static final int MAX_PATTERNS = 50;
    private static final int MAX_PATTERN_LENGTH = 500;
    private static final int MAX_WINDOW_SECONDS = 30 * 86_400;
    private static final BigDecimal MAX_ALERT_THRESHOLD = new BigDecimal("1.5");
    private static final int MAX_ALERT_THRESHOLDS = 10;
    private static final int MAX_COOLDOWN_MINUTES = 1440;
    private static final int MAX_URL_LENGTH = 2048;
    private static final int MAX_EMAIL_RECIPIENTS = 20;
    private static final int MAX_ALERT_CHANNELS = 10;

    private GovernanceValidation() {
    }

    public static void budget(BudgetConfig budget, String prefix) {
        if (budget == null) {
            return;
        }
        usd(prefix + "monthly_budget_usd", budget.monthlyBudgetUsd(), true);
        usd(prefix + "weekly_budget_usd", budget.weeklyBudgetUsd(), true);
        usd(prefix + "daily_budget_usd", budget.dailyBudgetUsd(), true);
        usd(prefix + "cost_per_execution", budget.costPerExecution(), false);
        tokenRate(prefix + "input_token_rate", budget.inputTokenRate());
        tokenRate(prefix + "output_token_rate", budget.outputTokenRate());
        usd(prefix + "base_invocation_cost", budget.baseInvocationCost(), false);
        count(prefix + "monthly_execution_limit", budget.monthlyExecutionLimit(), -1);
        count(prefix + "weekly_execution_limit", budget.weeklyExecutionLimit(), -1);
        count(prefix + "daily_execution_limit", budget.dailyExecutionLimit(), -1);
        fraction(prefix + "max_rollover_percentage", budget.maxRolloverPercentage());
        fraction(prefix + "warning_threshold", budget.warningThreshold());
        fraction(prefix + "degradation_threshold", budget.degradationThreshold());
        if (budget.enforcementMode() != null && !budget.enforcementMode().equals("hard")
                && !budget.enforcementMode().equals("soft")) {
            throw invalid(prefix + "enforcement_mode", "must be hard or soft");
        }
    }

    /**
     * A budget alert configuration as given (missing fields take defaults): thresholds ascending in (0, 1.5] in whole
     * percent; cooldown 0–1440 minutes; the webhook URL through the egress guard's static checks (scheme, host,
     * literal addresses: no DNS here, the gateway checks the resolved address when it calls); plain e-mail addresses;
     * channels as agent ids (whether they are the organisation's agents is the caller's to check).
     */
    public static void budgetAlerts(BudgetAlertConfig alerts, EgressGuard egress) {
        List<BigDecimal> thresholds = alerts.thresholds();
        if (thresholds != null) {
            if (thresholds.isEmpty() || thresholds.size() > MAX_ALERT_THRESHOLDS) {
                throw invalid("thresholds", "must hold 1 to " + MAX_ALERT_THRESHOLDS + " fractions of the limit");
            }
            for (int i = 0; i < thresholds.size(); i++) {
                String field = "thresholds[" + i + "]";
                BigDecimal threshold = thresholds.get(i);
                if (threshold == null || threshold.signum() <= 0 || threshold.compareTo(MAX_ALERT_THRESHOLD) > 0) {
                    throw invalid(field, "must be a fraction of the limit above 0 and at most 1.5");
                }
                if (threshold.stripTrailingZeros().scale() > 2) {
                    throw invalid(field, "must be a whole percent (at most two decimal places, e.g. 0.75)");
                }
                if (i > 0 && threshold.compareTo(thresholds.get(i - 1)) <= 0) {
                    throw invalid(field, "must be greater than the threshold before it (ascending, no repeats)");
                }
            }
        }
        Integer cooldown = alerts.cooldownMinutes();
        if (cooldown != null && (cooldown < 0 || cooldown > MAX_COOLDOWN_MINUTES)) {
            throw invalid("cooldown_minutes", "must be between 0 and " + MAX_COOLDOWN_MINUTES);
        }
        String url = alerts.webhookUrl();
        if (url != null) {
            if (url.isBlank() || TextLength.of(url) > MAX_URL_LENGTH) {
                throw invalid("webhook_url", "must be an absolute http(s) URL of at most " + MAX_URL_LENGTH
                        + " characters");
            }
            try {
                egress.checkStatic(url);
            } catch (EgressDeniedException e) {
                throw invalid("webhook_url", "is not an allowed URL: " + e.getMessage());
            }
        }
        List<String> recipients = alerts.emailRecipients();
        if (recipients != null) {
            if (recipients.size() > MAX_EMAIL_RECIPIENTS) {
                throw invalid("email_recipients", "may hold at most " + MAX_EMAIL_RECIPIENTS + " addresses");
            }
            for (int i = 0; i < recipients.size(); i++) {
                String address = recipients.get(i);
                // the address the gateway will take: a notification's e-mail channel is checked by the same rule
                if (!NotificationEvent.Channel.isEmailAddress(address)) {
                    throw invalid("email_recipients[" + i + "]", "must be an e-mail address such as ops@example.com");
                }
            }
        }
        List<String> channels = alerts.channels();
        if (channels != null) {
            if (channels.size() > MAX_ALERT_CHANNELS) {
                throw invalid("channels", "may hold at most " + MAX_ALERT_CHANNELS + " agents");
            }
            HashSet<String> seen = new HashSet<>();
            for (int i = 0; i < channels.size(); i++) {
                String channel = channels.get(i);
                if (channel == null || !PrefixedId.isValid(PrefixedId.AGENT, channel)) {
                    throw invalid("channels[" + i + "]", "must be the id of a registered messaging agent (agt_…)");
                }
                if (!seen.add(channel)) {
                    throw invalid("channels[" + i + "]", "is listed twice");
                }
            }
        }
    }

    /** An IANA time-zone id ({@code Europe/Paris}, {@code UTC}); offsets such as {@code +02:00} are not zones. */
    public static void timeZone(String field, String value) {
        if (value != null && !ZoneId.getAvailableZoneIds().contains(value)) {
            throw invalid(field, "must be an IANA time zone such as Europe/Paris or UTC");
        }
    }

    public static void rateLimit(RateLimitConfig rate, String prefix) {
        if (rate == null) {
            return;
        }
        count(prefix + "requests_per_minute", rate.requestsPerMinute(), 0);
        count(prefix + "requests_per_hour", rate.requestsPerHour(), 0);
        count(prefix + "requests_per_day", rate.requestsPerDay(), 0);
        count(prefix + "user_requests_per_minute", rate.userRequestsPerMinute(), -1);
    }

    public static void triggers(ApprovalTriggerSettings triggers, String prefix) {
        if (triggers == null) {
            return;
        }
        usd(prefix + "cost_threshold", triggers.costThreshold(), false);
        count(prefix + "token_threshold", triggers.tokenThreshold(), 0);
        List<String> patterns = triggers.payloadPatterns();
        if (patterns != null) {
            if (patterns.size() > MAX_PATTERNS) {
                throw invalid(prefix + "payload_patterns", "may hold at most " + MAX_PATTERNS + " patterns");
            }
            for (int i = 0; i < patterns.size(); i++) {
                String field = prefix + "payload_patterns[" + i + "]";
                String pattern = patterns.get(i);
                if (pattern == null || pattern.isEmpty() || TextLength.of(pattern) > MAX_PATTERN_LENGTH) {
                    throw invalid(field, "must be a regular expression of 1 to " + MAX_PATTERN_LENGTH + " characters");
                }
                String error = SafeRegex.compileError(pattern);
                if (error != null) {
                    throw invalid(field, "is not a valid regular expression: " + error);
                }
            }
        }
        List<String> detectors = triggers.sensitiveData();
        if (detectors != null) {
            for (int i = 0; i < detectors.size(); i++) {
                if (SensitiveDataDetector.byId(detectors.get(i)) == null) {
                    throw invalid(prefix + "sensitive_data[" + i + "]", "must be one of "
                            + String.join(", ", SensitiveDataDetector.ids()));
                }
            }
        }
        if (triggers.rateTriggerCount() != null) {
            count(prefix + "rate_trigger_count", triggers.rateTriggerCount(), 1);
        }
        Integer window = triggers.rateTriggerWindowSeconds();
        if (window != null && (window < 1 || window > MAX_WINDOW_SECONDS)) {
            throw invalid(prefix + "rate_trigger_window_seconds", "must be between 1 and " + MAX_WINDOW_SECONDS);
        }
        List<String> environments = triggers.environmentsRequiringApproval();
        if (environments != null) {
            for (int i = 0; i < environments.size(); i++) {
                String environment = environments.get(i);
                if (environment == null || !PolicyValidator.ENVIRONMENTS.contains(environment)) {
                    throw invalid(prefix + "environments_requiring_approval[" + i + "]",
                            "must be one of development, production, staging");
                }
            }
        }
        if (triggers.newAgentHours() != null) {
            count(prefix + "new_agent_hours", triggers.newAgentHours(), 1);
        }
    }

    /** A USD amount: at most six decimals (micro-USD), not negative unless -1 (unlimited) is allowed. */
    public static void usd(String field, BigDecimal value, boolean unlimitedAllowed) {
        if (value == null) {
            return;
        }
        if (unlimitedAllowed && value.compareTo(BigDecimal.ONE.negate()) == 0) {
            return;
        }
        if (value.signum() < 0) {
            throw invalid(field, unlimitedAllowed ? "must not be negative (-1 for unlimited)" : "must not be negative");
        }
        if (value.stripTrailingZeros().scale() > Money.SCALE) {
            throw invalid(field, "must have at most " + Money.SCALE + " decimal places");
        }
        if (value.compareTo(MAX_USD) > 0) {
            throw invalid(field, "must not exceed " + MAX_USD.toPlainString());
        }
    }

    /** USD per token: from 0 to {@link TokenRates#MAX_RATE}, with at most {@link TokenRates#RATE_SCALE} decimals. */
    private static void tokenRate(String field, BigDecimal value) {
        if (value == null) {
            return;
        }
        // range first: the scale of 1e-999999999 is only read, but a huge exponent is refused before any arithmetic
        if (value.signum() < 0 || value.compareTo(TokenRates.MAX_RATE) > 0) {
            throw invalid(field, "must be between 0 and " + TokenRates.MAX_RATE.toPlainString() + " USD per token");
        }
        if (value.stripTrailingZeros().scale() > TokenRates.RATE_SCALE) {
            throw invalid(field, "must have at most " + TokenRates.RATE_SCALE + " decimal places");
        }
    }

    private static void count(String field, Integer value, int min) {
        if (value != null && value < min) {
            throw invalid(field, min == -1 ? "must not be below -1 (-1 for unlimited)" : "must be at least " + min);
        }
    }

    private static void fraction(String field, BigDecimal value) {
        if (value != null && (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0)) {
            throw invalid(field, "must be between 0 and 1");
        }
    }

    static ProblemException invalid(String field, String message) {
        return ProblemException.validation(field + " " + message).with("field", field);
    }
}
