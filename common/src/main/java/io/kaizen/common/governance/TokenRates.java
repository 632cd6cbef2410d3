package io.kaizen.common.governance;

import java.math.BigDecimal;
import java.math.RoundingMode;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An agent's token pricing (original-spec §3.5): a call whose agent reports token counts but no cost costs
 * {@code input_tokens × input_token_rate + output_tokens × output_token_rate + base_invocation_cost}. Rates are USD
 * per token with at most {@link #RATE_SCALE} decimals (so a rate of $0.15 per million tokens is exact); the base is a
 * USD amount. The sum is computed exactly and rounded once, half up, to whole micro-USD.
 */
@Schema(description = "USD per input and output token, and USD per call, for agents that report token counts")
public record TokenRates(BigDecimal inputTokenRate, BigDecimal outputTokenRate, BigDecimal baseInvocationCost) {

    /** The largest token count believed for one call; an agent reporting more (or a negative count) is ignored. */
    public static final long MAX_TOKENS = 100_000_000L;

    /** Decimals a per-token rate may have: a millionth of a micro-USD. */
    public static final int RATE_SCALE = 12;

    /** The largest per-token rate accepted, in USD. */
    public static final BigDecimal MAX_RATE = BigDecimal.ONE;

    private static final int MICRO_SCALE = 6;

    /**
     * The price of one call in USD, rounded to whole micro-USD and shown as other amounts are, with at least two
     * decimals ({@code 0.026}, {@code 0.00}); an absent count is zero tokens.
     */
    public BigDecimal price(Long inputTokens, Long outputTokens) {
        BigDecimal exact = inputTokenRate.multiply(BigDecimal.valueOf(inputTokens == null ? 0 : inputTokens))
                .add(outputTokenRate.multiply(BigDecimal.valueOf(outputTokens == null ? 0 : outputTokens)))
                .add(baseInvocationCost);
        BigDecimal micros = exact.setScale(MICRO_SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
        return micros.scale() < 2 ? micros.setScale(2) : micros;
    }

    /** Whether a reported token count is one to believe: a whole number from 0 to {@link #MAX_TOKENS}. */
    public static boolean believable(Long tokens) {
        return tokens != null && tokens >= 0 && tokens <= MAX_TOKENS;
    }
}
