package io.kaizen.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.SpanCollector.CollectedSpan;
import io.vertx.core.Vertx;

/**
 * The collector reads OTLP/HTTP protobuf export requests as an OpenTelemetry exporter sends them; the messages here
 * are encoded field by field after opentelemetry-proto (trace/v1, common/v1, resource/v1), with fields the collector
 * does not read in between, as real ones have.
 */
class SpanCollectorTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static Vertx vertx;
    private static SpanCollector collector;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        collector = new SpanCollector(vertx);
        collector.start();
    }

    @AfterAll
    static void stop() {
        collector.stop();
        Await.result(vertx.close(), "close");
    }

    @Test
    void keepsTheSpansOfAnExportRequestWithTheirServiceIdsAndAttributes() throws Exception {
        byte[] request = exportRequest("adapter-gateway", span("00f067aa0ba902b7", "", "POST custom_http", 3,
                        attribute("kaizen.invocation.id", string("inv_1")),
                        attribute("http.response.status_code", integer(200))),
                span("1111111111111111", "00f067aa0ba902b7", "publish kaizen.invocations.v1", 4));

        assertThat(post(request, false).statusCode()).isEqualTo(200);

        List<CollectedSpan> trace = collector.awaitTrace(TRACE, spans -> spans.size() >= 2, Duration.ofSeconds(5));
        CollectedSpan call = trace.stream().filter(s -> s.spanId().equals("00f067aa0ba902b7")).findFirst()
                .orElseThrow();
        assertThat(call.service()).isEqualTo("adapter-gateway");
        assertThat(call.name()).isEqualTo("POST custom_http");
        assertThat(call.kind()).isEqualTo(CollectedSpan.CLIENT);
        assertThat(call.parentSpanId()).isEmpty();
        assertThat(call.attribute("kaizen.invocation.id")).isEqualTo("inv_1");
        assertThat(call.attribute("http.response.status_code")).isEqualTo("200");
        CollectedSpan publish = trace.stream().filter(s -> s.kind() == CollectedSpan.PRODUCER).findFirst()
                .orElseThrow();
        assertThat(publish.parentSpanId()).isEqualTo("00f067aa0ba902b7");
    }

    @Test
    void readsGzippedRequestsAndRefusesGarbage() throws Exception {
        String other = "0af7651916cd43dd8448eb211c80319c";
        byte[] request = exportRequest("lineage-service", span(other, "2222222222222222", "", "process x", 5));
        assertThat(post(request, true).statusCode()).isEqualTo(200);
        assertThat(collector.awaitTrace(other, spans -> !spans.isEmpty(), Duration.ofSeconds(5)).get(0).service())
                .isEqualTo("lineage-service");

        assertThat(post(new byte[] {(byte) 0x0a, (byte) 0xff}, false).statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> collector.awaitTrace("f".repeat(32), spans -> !spans.isEmpty(),
                Duration.ofMillis(50))).isInstanceOf(IllegalStateException.class);
    }

    private HttpResponse<String> post(byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(collector.url() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf");
        if (gzip) {
            request.header("Content-Encoding", "gzip");
            body = gzip(body);
        }
        return http.send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ExportTraceServiceRequest { 1: ResourceSpans { 1: Resource { 1: KeyValue }, 2: ScopeSpans { 2: Span }, 3: url } }
    private static byte[] exportRequest(String service, byte[]... spans) {
        byte[] resource = field(1, attribute("service.name", string(service)));
        byte[] scope = field(1, field(1, "io.kaizen".getBytes(StandardCharsets.UTF_8)));
        byte[] scopeSpans = concat(scope, concat(Arrays.stream(spans).map(s -> field(2, s)).toArray(byte[][]::new)));
        byte[] resourceSpans = concat(field(1, resource), field(2, scopeSpans),
                field(3, "https://schema".getBytes(StandardCharsets.UTF_8)));
        return field(1, resourceSpans);
    }

    private static byte[] span(String spanId, String parent, String name, int kind, byte[]... attributes) {
        return span(TRACE, spanId, parent, name, kind, attributes);
    }

    // Span { 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind, 7 start (fixed64), 9 attributes }
    private static byte[] span(String trace, String spanId, String parent, String name, int kind,
            byte[]... attributes) {
        byte[] fields = concat(field(1, HexFormat.of().parseHex(trace)), field(2, HexFormat.of().parseHex(spanId)),
                field(3, new byte[0]), parent.isEmpty() ? new byte[0] : field(4, HexFormat.of().parseHex(parent)),
                field(5, name.getBytes(StandardCharsets.UTF_8)), varintField(6, kind), fixed64Field(7, 1_700_000_000L));
        for (byte[] attribute : attributes) {
            fields = concat(fields, field(9, attribute));
        }
        return fields;
    }

    private static byte[] attribute(String key, byte[] anyValue) {
        return concat(field(1, key.getBytes(StandardCharsets.UTF_8)), field(2, anyValue));
    }

    private static byte[] string(String value) {
        return field(1, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] integer(long value) {
        return varintField(3, value);
    }

    private static byte[] field(int number, byte[] value) {
        return concat(varint((number << 3) | 2), varint(value.length), value);
    }

    private static byte[] varintField(int number, long value) {
        return concat(varint(number << 3), varint(value));
    }

    private static byte[] fixed64Field(int number, long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return concat(varint((number << 3) | 1), bytes);
    }

    private static byte[] varint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7fL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
