package io.kaizen.governance.budget;

import java.math.BigDecimal;

import io.kaizen.common.governance.TokenRates;
import io.kaizen.governance.domain.BudgetReservation;

/**
 * What a settled reservation is charged: the cost the agent reported ({@link #reported}), the price of the token
 * counts it reported at the agent's rates because it reported no cost ({@link #tokens}), the agent's configured cost
 * because it reported neither ({@link #CONFIGURED}), nothing because the agent was never reached or gave no usable
 * answer ({@link #FAILED}), or its estimate because no outcome arrived ({@link #ESTIMATE}, the sweeper's guess,
 * corrected when the outcome comes). Each counts one execution.
 */
public record Charge(Kind kind, BigDecimal amount) {

    public enum Kind {
        REPORTED, TOKENS, CONFIGURED, FAILED, ESTIMATE
    }

    public static final Charge CONFIGURED = new Charge(Kind.CONFIGURED, null);
    public static final Charge FAILED = new Charge(Kind.FAILED, null);
    public static final Charge ESTIMATE = new Charge(Kind.ESTIMATE, null);

    public static Charge reported(BigDecimal cost) {
        return new Charge(Kind.REPORTED, cost);
    }

    /** The price of the reported token counts, already at micro-USD scale ({@link TokenRates#price}). */
    public static Charge tokens(BigDecimal price) {
        return new Charge(Kind.TOKENS, price);
    }

    /** The amount for a reservation; rows reserved before the configured cost was recorded fall back to their estimate. */
    public BigDecimal amount(BudgetReservation row) {
        return switch (kind) {
            case REPORTED, TOKENS -> amount;
            case CONFIGURED -> row.configuredCostUsd != null ? row.configuredCostUsd : row.estimateUsd;
            case FAILED -> BigDecimal.ZERO;
            case ESTIMATE -> row.estimateUsd;
        };
    }
}
