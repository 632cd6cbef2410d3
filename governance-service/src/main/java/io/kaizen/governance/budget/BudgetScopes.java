package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.kaizen.common.governance.Decision.BudgetState;

/**
 * Names and views of budget scopes: what a decision, a 402 body and a status response say about one tally line.
 * Pure.
 */
public final class BudgetScopes {

    public static final String MONTHLY = "monthly";
    public static final String WEEKLY = "weekly";
    public static final String DAILY = "daily";
    public static final String MONTHLY_EXECUTIONS = "monthly_executions";
    public static final String WEEKLY_EXECUTIONS = "weekly_executions";
    public static final String DAILY_EXECUTIONS = "daily_executions";
    public static final String ORGANIZATION_MONTHLY = "organization_monthly";
    public static final String USD = "usd";
    public static final String EXECUTIONS = "executions";

    private BudgetScopes() {
    }

    /** The scope of an agent's USD line of {@code period}: {@code monthly}, {@code weekly} or {@code daily}. */
    public static String usdScope(BudgetPeriod period) {
        return period.name();
    }

    /** The scope of an agent's execution line of {@code period}: {@code monthly_executions}, …. */
    public static String executionScope(BudgetPeriod period) {
        return period.name() + "_executions";
    }

    /** The USD view of a tally line; {@code limitMicros} -1 gives null limit, remaining and usage. */
    public static BudgetState usd(String scope, BudgetPeriod period, long limitMicros, BudgetTallies.Tally tally,
            long estimateMicros, BudgetLimits limits) {
        BigDecimal usage = limitMicros <= 0 ? null : fraction(tally.spent() + tally.reserved(), limitMicros);
        return new BudgetState(scope, USD, period.name(), Money.limitOrNull(limitMicros),
                Money.usd(tally.spent()), Money.usd(tally.reserved()), Money.usd(estimateMicros),
                limitMicros < 0 ? null : Money.usd(limitMicros - tally.spent() - tally.reserved()), period.resetsAt(),
                limits.enforcementMode(), usage, reached(usage, limits.warningThreshold()),
                reached(usage, limits.degradationThreshold()));
    }

    /** The execution-count view of a tally line. */
    public static BudgetState executions(String scope, BudgetPeriod period, long limit, BudgetTallies.Tally tally,
            BudgetLimits limits) {
        BigDecimal usage = limit <= 0 ? null : fraction(tally.count() + tally.rcount(), limit);
        return new BudgetState(scope, EXECUTIONS, period.name(), BigDecimal.valueOf(limit),
                BigDecimal.valueOf(tally.count()), BigDecimal.valueOf(tally.rcount()), BigDecimal.ONE,
                BigDecimal.valueOf(limit - tally.count() - tally.rcount()), period.resetsAt(), limits.enforcementMode(),
                usage, reached(usage, limits.warningThreshold()), reached(usage, limits.degradationThreshold()));
    }

    /** The reason of a budget denial, in the reference's words. */
    public static String reason(BudgetState state) {
        String label = switch (state.scope()) {
            case MONTHLY -> "Monthly budget";
            case WEEKLY -> "Weekly budget";
            case DAILY -> "Daily budget";
            case ORGANIZATION_MONTHLY -> "Organization monthly budget";
            case MONTHLY_EXECUTIONS -> "Monthly execution limit";
            case WEEKLY_EXECUTIONS -> "Weekly execution limit";
            default -> "Daily execution limit";
        };
        if (EXECUTIONS.equals(state.unit())) {
            return label + " reached: " + state.spent().add(state.reserved()).toPlainString() + " / "
                    + state.limit().toPlainString();
        }
        return label + " would be exceeded: $" + state.spent().add(state.reserved()).add(state.estimate()).toPlainString()
                + " > $" + state.limit().toPlainString();
    }

    public static BigDecimal fraction(long used, long limit) {
        return BigDecimal.valueOf(used).divide(BigDecimal.valueOf(limit), 4, RoundingMode.HALF_UP);
    }

    /** True when a usage fraction has reached a threshold (never for an unlimited scope). */
    public static boolean reached(BigDecimal usage, BigDecimal threshold) {
        return usage != null && usage.compareTo(threshold) >= 0;
    }
}
