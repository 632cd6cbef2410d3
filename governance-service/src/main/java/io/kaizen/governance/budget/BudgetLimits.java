package io.kaizen.governance.budget;

import java.math.BigDecimal;

import io.kaizen.common.governance.TokenRates;

/**
 * The effective budget of an agent (its own values over the configured defaults). USD limits are micro-USD and
 * execution limits counts; -1 is unlimited. Thresholds are fractions of the limit. {@code tokenRates} prices a call
 * whose agent reports token counts but no cost.
 */
public record BudgetLimits(
        long monthlyMicros,
        long dailyMicros,
        long monthlyExecutions,
        long dailyExecutions,
        BigDecimal costPerExecution,
        BigDecimal warningThreshold,
        BigDecimal degradationThreshold,
        String enforcementMode,
        TokenRates tokenRates) {

    public static final String HARD = "hard";
    public static final String SOFT = "soft";

    public boolean hard() {
        return !SOFT.equals(enforcementMode);
    }

    /** True when no limit is set: nothing to enforce, only to record. */
    public boolean unlimited() {
        return monthlyMicros < 0 && dailyMicros < 0 && monthlyExecutions < 0 && dailyExecutions < 0;
    }
}
