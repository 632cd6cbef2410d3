package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Who is told when a budget's settled spend crosses a threshold, and how often: {@code thresholds} (fractions of the
 * limit, in whole percent, ascending), {@code alert_once_per_threshold} (tell each threshold once per period; false:
 * remind every cooldown while spend stays at or above it), {@code cooldown_minutes} (at most one alert per budget
 * scope within it), {@code webhook_url}, {@code email_recipients}, {@code channels} (registered messaging agents of
 * the organisation) and {@code include_forecast} (add the spend projected to the period's end). As a request body a
 * missing field takes its default.
 */
public record BudgetAlertConfig(
        @Schema(description = "Fractions of the limit in (0, 1.5], whole percent, ascending, at most 10",
                minItems = 1, maxItems = 10, uniqueItems = true)
        List<@DecimalMin(value = "0", inclusive = false) @DecimalMax("1.5") @Digits(integer = 1, fraction = 2)
                BigDecimal> thresholds,
        Boolean alertOncePerThreshold,
        @Schema(minimum = "0", maximum = "1440") Integer cooldownMinutes,
        @Schema(nullable = true, maxLength = 2048, pattern = EgressGuard.URL_PATTERN,
                description = "An http(s) URL the egress guard allows (https in production)") String webhookUrl,
        @Schema(maxItems = 20) List<@Size(max = NotificationEvent.Channel.MAX_ADDRESS_LENGTH)
                @Pattern(regexp = NotificationEvent.Channel.ADDRESS_PATTERN) String> emailRecipients,
        @Schema(description = "Agent ids of registered messaging agents of the organisation", maxItems = 10,
                uniqueItems = true)
        List<@Pattern(regexp = PrefixedId.AGENT_PATTERN) String> channels,
        Boolean includeForecast) {

    public static final List<BigDecimal> DEFAULT_THRESHOLDS = List.of(new BigDecimal("0.50"), new BigDecimal("0.75"),
            new BigDecimal("0.90"), new BigDecimal("1.00"));
    public static final int DEFAULT_COOLDOWN_MINUTES = 15;
    /** What applies where nothing is configured: the default thresholds, and nobody to tell. */
    public static final BudgetAlertConfig DEFAULT = new BudgetAlertConfig(null, null, null, null, null, null, null)
            .withDefaults();

    /**
     * This configuration with every missing field at its default, thresholds with two decimals (0.5 is 0.50), so two
     * configurations that mean the same are equal. Call it on a validated configuration.
     */
    public BudgetAlertConfig withDefaults() {
        return new BudgetAlertConfig(thresholds != null
                ? thresholds.stream().map(fraction -> fraction.setScale(2, RoundingMode.UNNECESSARY)).toList()
                : DEFAULT_THRESHOLDS,
                alertOncePerThreshold != null ? alertOncePerThreshold : Boolean.TRUE,
                cooldownMinutes != null ? cooldownMinutes : DEFAULT_COOLDOWN_MINUTES, webhookUrl,
                emailRecipients != null ? List.copyOf(emailRecipients) : List.of(),
                channels != null ? List.copyOf(channels) : List.of(),
                includeForecast != null ? includeForecast : Boolean.TRUE);
    }

    /** The thresholds as whole percentages of the limit (validated configurations hold whole percents only). */
    public int[] percentages() {
        return thresholds.stream().mapToInt(fraction -> fraction.movePointRight(2).intValueExact()).toArray();
    }

    /** Whether anyone is to be told. */
    public boolean tellsAnyone() {
        return webhookUrl != null || !emailRecipients.isEmpty() || !channels.isEmpty();
    }
}
