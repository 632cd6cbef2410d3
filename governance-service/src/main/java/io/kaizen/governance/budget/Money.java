package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD amounts: {@link BigDecimal} in JSON and PostgreSQL, whole micro-USD ({@code long}) in Redis, never floating
 * point. Estimates round up (a reservation never holds less than the call may cost), actual costs round half up.
 */
public final class Money {

    public static final int SCALE = 6;

    private Money() {
    }

    private static final BigDecimal ONE_MICRO = BigDecimal.ONE.movePointLeft(SCALE);
    private static final BigDecimal HALF_MICRO = new BigDecimal("0.0000005");

    public static long estimateMicros(BigDecimal usd) {
        // an exponent such as 1e-999999999 must not be rounded by scaling (10^999999999): any positive amount up to
        // one micro-USD is one micro-USD
        if (usd.signum() == 0) {
            return 0;
        }
        if (usd.signum() > 0 && usd.compareTo(ONE_MICRO) <= 0) {
            return 1;
        }
        return usd.movePointRight(SCALE).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    public static long actualMicros(BigDecimal usd) {
        if (usd.abs().compareTo(HALF_MICRO) < 0) {
            return 0;
        }
        return usd.movePointRight(SCALE).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** A limit in micro-USD; -1 (unlimited) for null or negative limits. */
    public static long limitMicros(BigDecimal usd) {
        return usd == null || usd.signum() < 0 ? -1 : usd.movePointRight(SCALE).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    /** Micro-USD as USD with at least two decimals ({@code 100.00}, {@code 0.05}, {@code 0.0456}). */
    public static BigDecimal usd(long micros) {
        BigDecimal value = BigDecimal.valueOf(micros, SCALE).stripTrailingZeros();
        return value.setScale(Math.max(2, value.scale()), RoundingMode.UNNECESSARY);
    }

    /** A limit for display: null when unlimited (negative). */
    public static BigDecimal limitOrNull(long micros) {
        return micros < 0 ? null : usd(micros);
    }

    /** The same amount as {@link #usd(long)} shows it, from a stored decimal. */
    public static BigDecimal usd(BigDecimal amount) {
        return amount == null ? null : usd(actualMicros(amount));
    }

    /** {@code $105.00}: how reasons and messages show money. */
    public static String format(long micros) {
        return "$" + usd(micros).toPlainString();
    }
}
