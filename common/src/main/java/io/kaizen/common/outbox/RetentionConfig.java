package io.kaizen.common.outbox;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long published outbox rows and processed-event records are kept ({@link EventRetention}). */
@ConfigMapping(prefix = "kaizen.retention")
public interface RetentionConfig {

    /** Published outbox rows older than this are deleted; pending rows are never deleted. */
    @WithDefault("7d")
    Duration publishedOutbox();

    /**
     * Processed-event records older than this are deleted. A redelivery or a replayed dead letter older than this
     * would be applied again, so keep it above the topics' retention (Kafka's default is 7 days).
     */
    @WithDefault("30d")
    Duration processedEvents();

    /** Rows deleted per transaction. */
    @WithDefault("1000")
    int batchSize();

    /** How often the purge runs. */
    @WithDefault("1h")
    Duration interval();

    /** The first purge after start. */
    @WithDefault("1m")
    Duration startDelay();
}
