package io.kaizen.governance.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void estimatesRoundUpAndActualsRoundHalfUp() {
        assertThat(Money.estimateMicros(new BigDecimal("0.05"))).isEqualTo(50_000);
        assertThat(Money.estimateMicros(new BigDecimal("0.0000001"))).isEqualTo(1);
        assertThat(Money.actualMicros(new BigDecimal("0.0000004"))).isZero();
        assertThat(Money.actualMicros(new BigDecimal("0.0000005"))).isEqualTo(1);
        assertThat(Money.limitMicros(new BigDecimal("-1"))).isEqualTo(-1);
        assertThat(Money.limitMicros(null)).isEqualTo(-1);
        assertThat(Money.limitMicros(new BigDecimal("100"))).isEqualTo(100_000_000);
    }

    @Test
    void amountsShowAtLeastTwoDecimals() {
        assertThat(Money.usd(100_000_000)).hasToString("100.00");
        assertThat(Money.usd(50_000)).hasToString("0.05");
        assertThat(Money.usd(45_600)).hasToString("0.0456");
        assertThat(Money.usd(-5_000_000)).hasToString("-5.00");
        assertThat(Money.format(105_000_000)).isEqualTo("$105.00");
    }

    @Test
    void periodsAreUtcCalendarDaysAndMonths() {
        Instant lateOnTheLastDay = Instant.parse("2025-01-31T23:59:59Z");
        BudgetPeriod month = BudgetPeriod.month(lateOnTheLastDay);
        assertThat(month.start()).isEqualTo(LocalDate.parse("2025-01-01"));
        assertThat(month.resetsAt()).isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));
        assertThat(month.key()).isEqualTo("m:202501");
        BudgetPeriod day = BudgetPeriod.day(lateOnTheLastDay);
        assertThat(day.resetsAt()).isEqualTo(Instant.parse("2025-02-01T00:00:00Z"));
        assertThat(day.key()).isEqualTo("d:20250131");
        assertThat(BudgetPeriod.day(Instant.parse("2025-02-01T00:00:00Z")).key()).isEqualTo("d:20250201");
    }
}
