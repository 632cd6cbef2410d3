package io.kaizen.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: exponential backoff with full jitter (the wait is drawn uniformly between
 * zero and a bound that doubles with each attempt, up to a cap), so that many deliveries failing together do not
 * come back together; never earlier than the destination's {@code Retry-After}, itself capped.
 */
public final class RetrySchedule {

    private final Duration base;
    private final Duration max;
    private final Duration retryAfterCap;
    private final RandomGenerator random;

    public RetrySchedule(Duration base, Duration max, Duration retryAfterCap, RandomGenerator random) {
        this.base = base;
        this.max = max;
        this.retryAfterCap = retryAfterCap;
        this.random = random;
    }

    /**
     * The wait after the {@code attempt}-th failed attempt of a schedule (1 for the first) answered at {@code now},
     * with the answer's {@code Retry-After} header or null.
     */
    public Duration waitAfter(int attempt, String retryAfter, Instant now) {
        Duration backoff = backoff(attempt);
        return retryAfter(retryAfter, now).filter(asked -> asked.compareTo(backoff) > 0).orElse(backoff);
    }

    /** A random wait up to {@code min(max, base × 2^(attempt−1))}. */
    Duration backoff(int attempt) {
        long bound = bound(attempt).toMillis();
        return Duration.ofMillis(bound <= 0 ? 0 : random.nextLong(bound + 1));
    }

    Duration bound(int attempt) {
        int doublings = Math.max(0, Math.min(attempt - 1, 62));
        long baseMillis = base.toMillis();
        // past the cap (or an overflowing shift) the bound is the cap
        if (doublings >= 62 || baseMillis > (max.toMillis() >> doublings)) {
            return max;
        }
        return Duration.ofMillis(baseMillis << doublings);
    }

    /**
     * The wait a {@code Retry-After} value asks for: delay-seconds or an HTTP date (RFC 9110 §10.2.3), at most the
     * cap; empty when absent or unreadable, zero for a date already past.
     */
    Optional<Duration> retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        Duration asked;
        if (text.chars().allMatch(Character::isDigit)) {
            try {
                asked = Duration.ofSeconds(Long.parseLong(text));
            } catch (NumberFormatException e) {
                // more digits than a long holds: as long as can be
                asked = retryAfterCap;
            }
        } else {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                asked = at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.of(asked.compareTo(retryAfterCap) > 0 ? retryAfterCap : asked);
    }
}
