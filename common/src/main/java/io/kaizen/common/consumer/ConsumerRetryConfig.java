package io.kaizen.common.consumer;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long a consumer retries a record that fails transiently before giving it to the dead-letter topic. */
@ConfigMapping(prefix = "kaizen.consumer.retry")
public interface ConsumerRetryConfig {

    /** First pause after a transient failure; it doubles on each attempt. */
    @WithDefault("250ms")
    Duration initialBackOff();

    /** Longest pause between two attempts. */
    @WithDefault("10s")
    Duration maxBackOff();

    /**
     * How long one record is retried before it goes to the dead-letter topic. It holds its partition meanwhile
     * (order is kept), so this is the longest database outage a consumer rides out without dead-lettering.
     */
    @WithDefault("5m")
    Duration giveUpAfter();

    /** The limit of one attempt; an attempt that hangs counts as a transient failure. */
    @WithDefault("30s")
    Duration attemptTimeout();
}
