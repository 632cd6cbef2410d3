package io.kaizen.gateway.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/**
 * How deliveries (result callbacks, notifications) are sent and retried ({@code service.DeliveryDispatcher}). With
 * the defaults a failing destination gets 8 attempts: the waits between them are drawn at random ("full jitter")
 * up to 10 min, 20 min, 40 min, … doubling up to 12 h, so the schedule spans at most about 21 h (half that on
 * average).
 */
@ConfigMapping(prefix = "kaizen.deliveries")
public interface DeliveryConfig {

    /** Attempts of one schedule, the first included; after the last failing one the delivery is exhausted. */
    @WithDefault("8")
    @Min(1)
    int maxAttempts();

    /** Upper bound of the first wait; each later wait's bound doubles. */
    @WithDefault("10m")
    Duration baseDelay();

    /** Largest bound of a wait. */
    @WithDefault("12h")
    Duration maxDelay();

    /** Longest wait a destination's {@code Retry-After} may ask for; a longer one is cut to this. */
    @WithDefault("1h")
    Duration retryAfterCap();

    /** How long one attempt may take before it counts as a timeout (and is retried). */
    @WithDefault("30s")
    Duration timeout();

    /**
     * How long a replica's claim on a delivery lasts; another replica takes the delivery over after it, so it must
     * be well above {@link #timeout()}.
     */
    @WithDefault("2m")
    Duration lease();

    /** Most deliveries one replica sends at once. */
    @WithDefault("64")
    @Min(1)
    int maxInFlight();

    /**
     * How often due deliveries are looked for without a wake-up: retries falling due, and deliveries enqueued by
     * another replica. The scheduler runs it at most once a second.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** Whether this replica sends deliveries; off, it only stores them (an API-only replica). */
    @WithDefault("true")
    boolean dispatch();

    /** Requests per {@link #defaultThrottlePeriod()} to one destination host of no known platform. */
    @WithDefault("10")
    @Min(1)
    int defaultThrottleRequests();

    /** The period of {@link #defaultThrottleRequests()}. */
    @WithDefault("1s")
    Duration defaultThrottlePeriod();
}
