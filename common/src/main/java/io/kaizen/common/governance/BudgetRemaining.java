package io.kaizen.common.governance;

import java.math.BigDecimal;

/**
 * The USD budget left around one call, as lineage shows it ({@code budget_remaining_before}/{@code _after}), from the
 * budget scope a decision reports. When the decision reserved ({@code reservationId} set), the tally it reports
 * already holds the reservation, so after is its {@code remaining} and before that plus the estimate; when it did not
 * (a denial, a hold), both are {@code remaining}. Null for a scope counted in executions or without a limit.
 */
public record BudgetRemaining(BigDecimal before, BigDecimal after) {

    /** The budget around the call, or null when the decision reports no USD scope with a limit. */
    public static BudgetRemaining of(Decision.BudgetState budget, String reservationId) {
        if (budget == null || !"usd".equals(budget.unit()) || budget.remaining() == null) {
            return null;
        }
        BigDecimal before = reservationId != null && budget.estimate() != null
                ? budget.remaining().add(budget.estimate()) : budget.remaining();
        return new BudgetRemaining(before, budget.remaining());
    }
}
