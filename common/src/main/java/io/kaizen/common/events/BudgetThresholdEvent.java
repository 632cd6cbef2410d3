package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Data of {@code budget.threshold_crossed}: settled spend of a budget scope reached 50, 80, 90 or 100 % of its
 * limit; emitted once per scope, period and threshold. {@code agentId} is null for the organisation-wide budget.
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
        Instant occurredAt) {
}
