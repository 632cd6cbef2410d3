package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.kaizen.common.governance.TokenRates;

/**
 * The effective budget of an agent (its own values over the configured defaults). USD limits are micro-USD and
 * execution limits counts; -1 is unlimited. Thresholds are fractions of the limit. {@code tokenRates} prices a call
 * whose agent reports token counts but no cost. With {@code rolloverUnused}, the unused USD of a line's previous
 * period adds to its limit, up to {@code maxRolloverPercentage} of the line's own limit.
 */
public record BudgetLimits(
        long monthlyMicros,
        long weeklyMicros,
        long dailyMicros,
        long monthlyExecutions,
        long weeklyExecutions,
        long dailyExecutions,
        BigDecimal costPerExecution,
        BigDecimal warningThreshold,
        BigDecimal degradationThreshold,
        String enforcementMode,
        TokenRates tokenRates,
        boolean rolloverUnused,
        BigDecimal maxRolloverPercentage) {

    public static final String HARD = "hard";
    public static final String SOFT = "soft";

    public boolean hard() {
        return !SOFT.equals(enforcementMode);
    }

    /** True when no limit is set: nothing to enforce, only to record. */
    public boolean unlimited() {
        return monthlyMicros < 0 && weeklyMicros < 0 && dailyMicros < 0 && monthlyExecutions < 0
                && weeklyExecutions < 0 && dailyExecutions < 0;
    }

    /** The USD limit of the line of {@code period} ({@link BudgetPeriod#MONTHLY}, …), before any rollover. */
    public long usdMicros(BudgetPeriod period) {
        return switch (period.name()) {
            case BudgetPeriod.MONTHLY -> monthlyMicros;
            case BudgetPeriod.WEEKLY -> weeklyMicros;
            default -> dailyMicros;
        };
    }

    public long executions(BudgetPeriod period) {
        return switch (period.name()) {
            case BudgetPeriod.MONTHLY -> monthlyExecutions;
            case BudgetPeriod.WEEKLY -> weeklyExecutions;
            default -> dailyExecutions;
        };
    }

    /**
     * The most a rollover may add to a line whose own limit is {@code baseMicros}: a fraction of that limit, never of
     * a limit that already includes a rollover, so rollovers never compound. 0 when rollover is off or the line has
     * no USD limit.
     */
    public long rolloverCapMicros(long baseMicros) {
        if (!rolloverUnused || baseMicros <= 0) {
            return 0;
        }
        return BigDecimal.valueOf(baseMicros).multiply(maxRolloverPercentage).setScale(0, RoundingMode.FLOOR)
                .longValueExact();
    }

    /** The rollover a line gets from the unused amount carried from its previous period. */
    public long rolloverMicros(long baseMicros, long carryMicros) {
        return Math.min(Math.max(carryMicros, 0), rolloverCapMicros(baseMicros));
    }
}
