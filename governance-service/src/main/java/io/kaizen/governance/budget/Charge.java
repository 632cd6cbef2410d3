package io.kaizen.governance.budget;

import java.math.BigDecimal;

import io.kaizen.governance.domain.BudgetReservation;

/**
 * What a settled reservation is charged: the cost the agent reported ({@link #reported}), the agent's configured
 * cost because it reported none ({@link #CONFIGURED}), nothing because the agent was never reached or gave no usable
 * answer ({@link #FAILED}), or its estimate because no outcome arrived ({@link #ESTIMATE}, the sweeper's guess,
 * corrected when the outcome comes). Each counts one execution.
 */
public record Charge(Kind kind, BigDecimal reportedCost) {

    public enum Kind {
        REPORTED, CONFIGURED, FAILED, ESTIMATE
    }

    public static final Charge CONFIGURED = new Charge(Kind.CONFIGURED, null);
    public static final Charge FAILED = new Charge(Kind.FAILED, null);
    public static final Charge ESTIMATE = new Charge(Kind.ESTIMATE, null);

    public static Charge reported(BigDecimal cost) {
        return new Charge(Kind.REPORTED, cost);
    }

    /** The amount for a reservation; rows reserved before the configured cost was recorded fall back to their estimate. */
    public BigDecimal amount(BudgetReservation row) {
        return switch (kind) {
            case REPORTED -> reportedCost;
            case CONFIGURED -> row.configuredCostUsd != null ? row.configuredCostUsd : row.estimateUsd;
            case FAILED -> BigDecimal.ZERO;
            case ESTIMATE -> row.estimateUsd;
        };
    }
}
