package io.kaizen.governance.ratelimit;

import java.time.Duration;

/** One rolling window of a rate limit: its name in responses, its length and how many calls it admits. */
public record RateLimitWindow(String name, Duration length, long limit) {
}
