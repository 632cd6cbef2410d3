package io.kaizen.common.governance;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The rules every USD amount from outside (a caller's estimate, an agent's reported cost) is held to: a finite JSON
 * number, read exactly, from 0 to {@link #MAX}. How a refusal shows (a 400, or an amount not believed) is the
 * caller's; {@link UsdAmountDeserializer} is the same rule for a typed request field.
 */
public final class UsdAmount {

    /** The largest amount believed, in USD. */
    public static final BigDecimal MAX = new BigDecimal("1000000");
    /**
     * A configured amount (a budget, a price, a threshold) as the documents declare it: at most {@value #MAX_SETTING}
     * USD, in steps of {@value #STEP} (micro-USD); -1, where allowed, is unlimited.
     */
    public static final String MAX_SETTING = "1000000000";
    public static final double STEP = 0.000001;
    /** USD per token: from 0 to 1 in steps of {@value #TOKEN_RATE_STEP} ({@code TokenRates.RATE_SCALE} decimals). */
    public static final double TOKEN_RATE_STEP = 0.000000000001;

    private UsdAmount() {
    }

    /**
     * A number as Jackson reads it (into a map, or a node's {@code numberValue()}), exactly; null for anything else:
     * not a number, NaN, or an infinity (which is how a double reads {@code 1e400}).
     */
    public static BigDecimal exact(Object number) {
        if (number instanceof BigDecimal decimal) {
            return decimal;
        }
        if (number instanceof BigInteger integer) {
            return new BigDecimal(integer);
        }
        if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
            return BigDecimal.valueOf(((Number) number).longValue());
        }
        if (number instanceof Double || number instanceof Float) {
            double value = ((Number) number).doubleValue();
            return Double.isFinite(value) ? BigDecimal.valueOf(value) : null;
        }
        return null;
    }

    /** Whether an amount is one to believe: from 0 to {@link #MAX}. */
    public static boolean inRange(BigDecimal amount) {
        return amount != null && amount.signum() >= 0 && amount.compareTo(MAX) <= 0;
    }
}
