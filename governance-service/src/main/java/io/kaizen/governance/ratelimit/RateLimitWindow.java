package io.kaizen.governance.ratelimit;

import java.time.Duration;

/**
 * One rolling window of a rate limit: its name in responses, its length, how many calls it admits, and whether
 * it counts the agent's calls of one user only ({@code user_minute}) rather than all of them.
 */
public record RateLimitWindow(String name, Duration length, long limit, boolean perUser) {
}
