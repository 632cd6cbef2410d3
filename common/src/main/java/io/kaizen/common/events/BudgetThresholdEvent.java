package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Data of {@code budget.threshold_crossed}: settled spend of a budget scope reached one of the thresholds of its
 * budget alert configuration (by default 50, 75, 90 and 100 % of its limit; up to 150 %, in whole percent); emitted
 * once per scope, period and threshold. {@code agentId} is null for the organisation-wide budget. {@code forecastUsd}
 * is the spend projected to the period's end, linear from the spend so far; null when the configuration leaves the
 * forecast out.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BudgetThresholdEvent(
        String organizationId,
        String agentId,
        String scope,
        String period,
        Instant periodStart,
        Instant periodEnd,
        int thresholdPercentage,
        BigDecimal spentUsd,
        BigDecimal limitUsd,
        BigDecimal remainingUsd,
        BigDecimal forecastUsd,
        Instant occurredAt) {
}
