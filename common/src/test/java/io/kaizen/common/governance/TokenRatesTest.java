package io.kaizen.common.governance;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

/** The token price of a call (original-spec §3.5), to the micro-USD. */
class TokenRatesTest {

    private static final TokenRates REFERENCE = new TokenRates(new BigDecimal("0.00001"), new BigDecimal("0.00003"),
            new BigDecimal("0.001"));

    @Test
    void theReferenceExampleCostsExactly0_026() {
        // 1,000 × 0.00001 + 500 × 0.00003 + 0.001
        assertThat(REFERENCE.price(1_000L, 500L)).isEqualTo(new BigDecimal("0.026"));
        assertThat(REFERENCE.price(1_000L, 500L).toPlainString()).isEqualTo("0.026");
    }

    @Test
    void zeroOrAbsentTokensCostTheBaseCost() {
        assertThat(REFERENCE.price(0L, 0L)).isEqualTo(new BigDecimal("0.001"));
        assertThat(REFERENCE.price(null, 0L)).isEqualTo(new BigDecimal("0.001"));
        assertThat(REFERENCE.price(null, 500L)).isEqualTo(new BigDecimal("0.016"));
        assertThat(REFERENCE.price(1_000L, null)).isEqualTo(new BigDecimal("0.011"));
        assertThat(new TokenRates(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO).price(7L, 9L).toPlainString())
                .isEqualTo("0.00");
    }

    @Test
    void theExactSumIsRoundedOnceHalfUpToWholeMicroUsd() {
        TokenRates nano = new TokenRates(new BigDecimal("0.000000001"), BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(nano.price(499L, 0L)).isEqualByComparingTo("0");
        assertThat(nano.price(500L, 0L)).isEqualByComparingTo("0.000001");
        assertThat(nano.price(1_499L, 0L)).isEqualByComparingTo("0.000001");
        assertThat(nano.price(1_500L, 0L)).isEqualByComparingTo("0.000002");
        // 0.4 + 0.4 micro-USD: rounding each term would charge nothing
        TokenRates split = new TokenRates(new BigDecimal("0.0000004"), new BigDecimal("0.0000004"), BigDecimal.ZERO);
        assertThat(split.price(1L, 1L)).isEqualByComparingTo("0.000001");
        // the smallest rate accepted (twelve decimals) is exact: a million tokens at 0.000000000001 is one micro-USD
        TokenRates pico = new TokenRates(new BigDecimal("0.000000000001"), BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(pico.price(1_000_000L, 0L)).isEqualByComparingTo("0.000001");
    }

    @Test
    void theLargestBelievableCountsAtTheLargestRatesDoNotOverflow() {
        TokenRates largest = new TokenRates(TokenRates.MAX_RATE, TokenRates.MAX_RATE, new BigDecimal("1000000000"));
        BigDecimal price = largest.price(TokenRates.MAX_TOKENS, TokenRates.MAX_TOKENS);
        assertThat(price).isEqualByComparingTo("1200000000");
        assertThat(price.movePointRight(6).longValueExact()).isEqualTo(1_200_000_000_000_000L);
        assertThat(REFERENCE.price(TokenRates.MAX_TOKENS, TokenRates.MAX_TOKENS)).isEqualByComparingTo("4000.001");
    }

    @Test
    void onlyWholeCountsFromZeroToOneHundredMillionAreBelieved() {
        assertThat(TokenRates.believable(0L)).isTrue();
        assertThat(TokenRates.believable(100_000_000L)).isTrue();
        assertThat(TokenRates.believable(100_000_001L)).isFalse();
        assertThat(TokenRates.believable(-1L)).isFalse();
        assertThat(TokenRates.believable(null)).isFalse();
    }
}
