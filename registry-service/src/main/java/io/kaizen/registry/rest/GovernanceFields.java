package io.kaizen.registry.rest;

import java.math.BigDecimal;

import io.kaizen.common.problem.ProblemException;

/**
 * The governance fields of the agent API, forwarded to governance-service, which holds them. On registration an
 * absent or null field means the configured default; on a change it means "unchanged". -1 means unlimited for the
 * budgets and the execution limit; answers show unlimited as null.
 */
public interface GovernanceFields {

    BigDecimal maxMonthlyCost();

    BigDecimal maxDailyCost();

    BigDecimal costPerExecution();

    Integer monthlyExecutionLimit();

    Integer requestsPerMinute();

    Integer requestsPerHour();

    Integer requestsPerDay();

    /** USD per input token when the agent reports token counts but no cost. */
    BigDecimal inputTokenRate();

    /** USD per output token when the agent reports token counts but no cost. */
    BigDecimal outputTokenRate();

    /** USD per call added to the price of the tokens. */
    BigDecimal baseInvocationCost();

    /** USD per week from Monday 00:00 in the organisation's time zone; unlimited unless set. */
    BigDecimal maxWeeklyCost();

    Integer weeklyExecutionLimit();

    /** Whether the USD left unused in a period is added to the next one's limit. */
    Boolean rolloverUnused();

    /** The cap of that rollover, as a fraction (0–1) of the line's own limit. */
    BigDecimal maxRolloverPercentage();

    /** Budgets and execution limits take -1 for unlimited and nothing else below zero. */
    default void requireValidLimits() {
        requireNonNegativeOrUnlimited("max_monthly_cost", maxMonthlyCost());
        requireNonNegativeOrUnlimited("max_daily_cost", maxDailyCost());
        requireNonNegativeOrUnlimited("max_weekly_cost", maxWeeklyCost());
        if (monthlyExecutionLimit() != null) {
            requireNonNegativeOrUnlimited("monthly_execution_limit", BigDecimal.valueOf(monthlyExecutionLimit()));
        }
        if (weeklyExecutionLimit() != null) {
            requireNonNegativeOrUnlimited("weekly_execution_limit", BigDecimal.valueOf(weeklyExecutionLimit()));
        }
    }

    private static void requireNonNegativeOrUnlimited(String field, BigDecimal value) {
        if (value != null && value.signum() < 0 && value.compareTo(BigDecimal.ONE.negate()) != 0) {
            throw ProblemException.validation("Field '" + field + "' must not be negative (-1 for unlimited)");
        }
    }

    default boolean anyGovernanceField() {
        return maxMonthlyCost() != null || maxDailyCost() != null || costPerExecution() != null
                || monthlyExecutionLimit() != null || requestsPerMinute() != null || requestsPerHour() != null
                || requestsPerDay() != null || inputTokenRate() != null || outputTokenRate() != null
                || baseInvocationCost() != null || maxWeeklyCost() != null || weeklyExecutionLimit() != null
                || rolloverUnused() != null || maxRolloverPercentage() != null;
    }
}
