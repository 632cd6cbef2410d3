package io.kaizen.gateway.service;

import java.math.BigDecimal;
import java.util.Map;

import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.problem.ProblemException;

/**
 * What governance reads from an invoke request's free-form {@code metadata}. A caller's {@code estimated_cost} may
 * raise the amount governance reserves, never lower it; one that is not a number from 0 to 1,000,000 (a string,
 * {@code 1e400}, a negative number) is refused with a 400 before anything is reserved.
 */
final class InvokeMetadata {

    private static final String ESTIMATED_COST = "metadata.estimated_cost";

    private InvokeMetadata() {
    }

    /** {@code metadata.estimated_cost}, or null when absent. */
    static BigDecimal estimatedCost(Map<String, Object> metadata) {
        Object value = metadata == null ? null : metadata.get("estimated_cost");
        if (value == null) {
            return null;
        }
        BigDecimal cost = UsdAmount.exact(value);
        if (!UsdAmount.inRange(cost)) {
            throw ProblemException.validation(ESTIMATED_COST + " must be a number between 0 and "
                    + UsdAmount.MAX.toPlainString()).with("field", ESTIMATED_COST);
        }
        return cost;
    }

    /** {@code metadata.estimated_tokens} of the invoke request when it is a non-negative whole number. */
    static Integer estimatedTokens(Map<String, Object> metadata) {
        Object value = metadata == null ? null : metadata.get("estimated_tokens");
        return value instanceof Integer tokens && tokens >= 0 ? tokens : null;
    }
}
