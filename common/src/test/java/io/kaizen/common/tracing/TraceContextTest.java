package io.kaizen.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

class TraceContextTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";
    private static final String TRACEPARENT = "00-" + TRACE + "-" + SPAN + "-01";

    @Test
    void aValidTraceparentIsKeptAndParentsASpanOfItsTrace() {
        TraceContext context = TraceContext.of(TRACEPARENT, "vendor=1");

        assertThat(context.traceId()).isEqualTo(TRACE);
        SpanContext parent = Span.fromContext(context.asParent()).getSpanContext();
        assertThat(parent.getTraceId()).isEqualTo(TRACE);
        assertThat(parent.getSpanId()).isEqualTo(SPAN);
        assertThat(parent.isSampled()).isTrue();
        assertThat(parent.isRemote()).isTrue();
        assertThat(parent.getTraceState().get("vendor")).isEqualTo("1");
    }

    @Test
    void aMalformedTraceparentIsNoTraceContext() {
        assertThat(TraceContext.of(null, null)).isNull();
        assertThat(TraceContext.of("", null)).isNull();
        assertThat(TraceContext.of("01-" + TRACE + "-" + SPAN + "-01", null)).as("unknown version").isNull();
        assertThat(TraceContext.of("00-" + "0".repeat(32) + "-" + SPAN + "-01", null)).as("all-zero trace").isNull();
        assertThat(TraceContext.of("00-" + TRACE + "-" + "0".repeat(16) + "-01", null)).as("all-zero span").isNull();
        assertThat(TraceContext.of("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01", null)).isNull();
        assertThat(TraceContext.of(TRACEPARENT + "-extra", null)).isNull();
        assertThat(TraceContext.of("00-" + TRACE + "-" + SPAN + "-zz", null)).isNull();
    }

    @Test
    void aTracestateLongerThanTheW3cRecommendationIsDroppedNotTheTrace() {
        TraceContext context = TraceContext.of(TRACEPARENT, "a=" + "x".repeat(TraceContext.MAX_TRACESTATE));

        assertThat(context.traceparent()).isEqualTo(TRACEPARENT);
        assertThat(context.tracestate()).isNull();
    }

    @Test
    void theCurrentContextIsTheCurrentSpansOrNone() {
        assertThat(TraceContext.current()).isNull();
        SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
        try (Scope ignored = Context.root().with(Span.wrap(span)).makeCurrent()) {
            assertThat(TraceContext.current()).isEqualTo(new TraceContext(TRACEPARENT, null));
            // the stored span of the current trace, with the current sampling decision
            assertThat(TraceContext.currentOr(TRACE, "1".repeat(16)).traceparent())
                    .isEqualTo("00-" + TRACE + "-" + "1".repeat(16) + "-01");
            // work of another trace (an approved call executed from an approval event) joins its own trace
            assertThat(TraceContext.currentOr("1".repeat(32), "2".repeat(16)).traceparent())
                    .isEqualTo("00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01");
        }
    }

    @Test
    void theStoredSpanKeepsTheCurrentTracesSamplingDecision() {
        SpanContext unsampled = SpanContext.create(TRACE, SPAN, TraceFlags.getDefault(), TraceState.getDefault());
        try (Scope ignored = Context.root().with(Span.wrap(unsampled)).makeCurrent()) {
            assertThat(TraceContext.currentOr(TRACE, "1".repeat(16)).traceparent())
                    .isEqualTo("00-" + TRACE + "-" + "1".repeat(16) + "-00");
        }
    }

    @Test
    void anEventCarriesItsTraceContextAsTheCloudEventsTracingExtension() {
        CloudEvent event = new CloudEvent("evt_1", "/kaizen/test", "kaizen.test.v1", "agt_1", "org_1",
                Instant.parse("2026-12-04T18:00:00Z"), "{}", TraceContext.of(TRACEPARENT, "vendor=1"));

        RecordHeaders headers = event.headers();
        assertThat(header(headers, "ce_traceparent")).isEqualTo(TRACEPARENT);
        assertThat(header(headers, "ce_tracestate")).isEqualTo("vendor=1");

        CloudEvent read = CloudEvent.from(record(headers));
        assertThat(read.trace()).isEqualTo(new TraceContext(TRACEPARENT, "vendor=1"));

        CloudEvent untraced = new CloudEvent("evt_2", "/kaizen/test", "kaizen.test.v1", "agt_1", "org_1",
                Instant.parse("2026-12-04T18:00:00Z"), "{}");
        assertThat(untraced.headers().lastHeader("ce_traceparent")).isNull();
        assertThat(CloudEvent.from(record(untraced.headers())).trace()).isNull();

        RecordHeaders malformed = untraced.headers();
        malformed.add("ce_traceparent", "not-a-traceparent".getBytes(StandardCharsets.UTF_8));
        assertThat(CloudEvent.from(record(malformed)).trace()).as("a bad header is no trace, not a poison event")
                .isNull();
    }

    private static ConsumerRecord<String, String> record(RecordHeaders headers) {
        return new ConsumerRecord<>("kaizen.test", 0, 0L, 0L, TimestampType.CREATE_TIME, 0, 0, "agt_1", "{}", headers,
                java.util.Optional.empty());
    }

    private static String header(RecordHeaders headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
