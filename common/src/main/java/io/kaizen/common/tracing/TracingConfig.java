package io.kaizen.common.tracing;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Where spans are exported ({@link SpanExport}). Sampling is Quarkus's ({@code quarkus.otel.traces.sampler.arg});
 * docs/operations.md, Tracing.
 */
@ConfigMapping(prefix = "kaizen.tracing.otlp")
public interface TracingConfig {

    /**
     * The collector's OTLP/HTTP base URL (protobuf), such as {@code http://otel-collector:4318}; spans go to its
     * {@code /v1/traces}. Unset, nothing is exported: spans and trace context still propagate, and no connection is
     * attempted.
     */
    Optional<String> endpoint();

    /** Headers of every export request, such as {@code authorization} for a hosted collector. */
    Map<String, String> headers();

    /** The longest wait for the collector's answer to one export. */
    @WithDefault("10s")
    Duration timeout();

    /** How long ended spans wait before they are exported together. */
    @WithDefault("5s")
    Duration scheduleDelay();

    /** Ended spans waiting for export; beyond this they are dropped, never waited for. */
    @WithDefault("2048")
    int maxQueueSize();

    /** Spans per export request. */
    @WithDefault("512")
    int maxBatchSize();
}
