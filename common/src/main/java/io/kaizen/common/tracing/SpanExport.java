package io.kaizen.common.tracing;

import java.net.URI;

import org.jboss.logging.Logger;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Exports spans over OTLP/HTTP when a collector is configured ({@code kaizen.tracing.otlp.endpoint}), and not at
 * all otherwise. Quarkus's own exporter is off ({@code quarkus.otel.traces.exporter=none}): it is chosen when the
 * service is built and, with no collector, would try {@code localhost:4317} and log a failure every few seconds,
 * while this one is chosen where the service runs. Quarkus adds every {@link SpanProcessor} bean to its tracer
 * provider; without a collector this one is a no-op that asks for no span, so recording costs nothing beyond the
 * spans themselves.
 */
@Singleton
public class SpanExport {

    private static final Logger LOG = Logger.getLogger(SpanExport.class);
    private static final String TRACES_PATH = "/v1/traces";

    @Produces
    @Singleton
    SpanProcessor otlp(TracingConfig config) {
        if (config.endpoint().isEmpty() || config.endpoint().get().isBlank()) {
            return SpanProcessor.composite();
        }
        String base = config.endpoint().get().strip();
        String url = base.endsWith(TRACES_PATH) ? base : base.replaceAll("/+$", "") + TRACES_PATH;
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(url)
                .setTimeout(config.timeout());
        config.headers().forEach(exporter::addHeader);
        URI target = URI.create(url);
        // host and port only: a URL may carry credentials
        LOG.infof("exporting spans over OTLP/HTTP to %s:%d", target.getHost(), target.getPort());
        return BatchSpanProcessor.builder(exporter.build())
                .setScheduleDelay(config.scheduleDelay())
                .setMaxQueueSize(config.maxQueueSize())
                .setMaxExportBatchSize(Math.min(config.maxBatchSize(), config.maxQueueSize()))
                .build();
    }
}
