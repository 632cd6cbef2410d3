package io.kaizen.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

/** The retry schedule: full-jitter exponential backoff under a cap, and Retry-After honoured up to its own cap. */
class RetryScheduleTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    /** A generator that always draws the highest value allowed, so the bound itself is observable. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    private final RetrySchedule schedule = new RetrySchedule(Duration.ofMinutes(10), Duration.ofHours(12),
            Duration.ofHours(1), HIGHEST);

    @Test
    void theBoundDoublesWithEachAttemptUpToTheCap() {
        assertThat(schedule.bound(1)).isEqualTo(Duration.ofMinutes(10));
        assertThat(schedule.bound(2)).isEqualTo(Duration.ofMinutes(20));
        assertThat(schedule.bound(7)).isEqualTo(Duration.ofMinutes(640));
        assertThat(schedule.bound(8)).isEqualTo(Duration.ofHours(12));
        assertThat(schedule.bound(200)).as("no overflow however long the schedule").isEqualTo(Duration.ofHours(12));
    }

    @Test
    void theDefaultScheduleOfEightAttemptsSpansLessThanADay() {
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < 8; attempt++) {
            total = total.plus(schedule.backoff(attempt));
        }
        assertThat(total).isGreaterThan(Duration.ofHours(20)).isLessThan(Duration.ofHours(24));
    }

    @Test
    void eachWaitIsDrawnBetweenZeroAndItsBound() {
        RetrySchedule random = new RetrySchedule(Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofHours(1),
                RandomGenerator.getDefault());
        for (int i = 0; i < 1000; i++) {
            assertThat(random.backoff(3)).isBetween(Duration.ZERO, Duration.ofMillis(400));
        }
    }

    @Test
    void retryAfterInSecondsIsHonouredWhenLongerThanTheBackoff() {
        assertThat(schedule.waitAfter(1, "1800", NOW)).isEqualTo(Duration.ofMinutes(30));
        assertThat(schedule.waitAfter(1, "5", NOW)).as("the backoff is longer").isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        String inForty = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(2400).atOffset(ZoneOffset.UTC));
        assertThat(schedule.waitAfter(1, inForty, NOW)).isEqualTo(Duration.ofMinutes(40));
        assertThat(schedule.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).as("a date past").contains(Duration.ZERO);
    }

    @Test
    void retryAfterIsCapped() {
        assertThat(schedule.retryAfter("86400", NOW)).contains(Duration.ofHours(1));
        assertThat(schedule.retryAfter("99999999999999999999999", NOW)).contains(Duration.ofHours(1));
    }

    @Test
    void anUnreadableRetryAfterIsIgnored() {
        assertThat(schedule.retryAfter("soon", NOW)).isEmpty();
        assertThat(schedule.retryAfter("-5", NOW)).isEmpty();
        assertThat(schedule.retryAfter(null, NOW)).isEmpty();
        assertThat(schedule.waitAfter(2, "soon", NOW)).isEqualTo(Duration.ofMinutes(20));
    }
}
