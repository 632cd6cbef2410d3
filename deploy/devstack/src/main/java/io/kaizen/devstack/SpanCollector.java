package io.kaizen.devstack;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * A stand-in for an OpenTelemetry collector: an OTLP/HTTP receiver of traces ({@code POST /v1/traces}, protobuf,
 * gzip or not) that keeps the spans the services export, so a test can check that one invoke is one trace across
 * the services. It reads only what such a check needs (ids, name, kind, string and number attributes, the exporting
 * service's {@code service.name}) with a small protobuf reader of the OTLP trace messages, and keeps the last 20,000
 * spans.
 */
public final class SpanCollector {

    /** Beyond this many spans the oldest are forgotten. */
    private static final int MAX_KEPT = 20_000;
    private static final HexFormat HEX = HexFormat.of();

    private final Vertx vertx;
    private final List<CollectedSpan> spans = new ArrayList<>();
    private HttpServer server;

    public SpanCollector(Vertx vertx) {
        this.vertx = vertx;
    }

    /**
     * One exported span. {@code kind} is OTLP's: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
     *
     * @param parentSpanId empty for a root span
     */
    public record CollectedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
            int kind, Map<String, String> attributes) {

        public static final int SERVER = 2;
        public static final int CLIENT = 3;
        public static final int PRODUCER = 4;
        public static final int CONSUMER = 5;

        public String attribute(String key) {
            return attributes.get(key);
        }
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        HttpServer created = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
        created.requestHandler(this::handle);
        server = Await.result(created.listen(), "span collector cannot listen");
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        Await.result(server.close(), "span collector close");
        server = null;
    }

    /** The base URL services export to ({@code quarkus.otel.exporter.otlp.traces.endpoint}). */
    public synchronized String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** The spans received so far, oldest first. */
    public synchronized List<CollectedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The spans of one trace received so far. */
    public List<CollectedSpan> trace(String traceId) {
        return spans().stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /**
     * Waits until the spans of {@code traceId} satisfy {@code done} and returns them.
     *
     * @throws IllegalStateException when they did not within {@code timeout}
     */
    public synchronized List<CollectedSpan> awaitTrace(String traceId, Predicate<List<CollectedSpan>> done,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<CollectedSpan> trace = spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
            if (done.test(trace)) {
                return trace;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("trace " + traceId + " was not complete within " + timeout + ": "
                        + trace);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private void handle(HttpServerRequest request) {
        if (request.method() != HttpMethod.POST) {
            request.response().setStatusCode(405).end();
            return;
        }
        request.body().onSuccess(body -> {
            List<CollectedSpan> received;
            try {
                byte[] bytes = "gzip".equalsIgnoreCase(request.getHeader("Content-Encoding")) ? gunzip(body)
                        : body.getBytes();
                received = exportRequest(ByteBuffer.wrap(bytes));
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).end(String.valueOf(e.getMessage()));
                return;
            }
            synchronized (this) {
                spans.addAll(received);
                while (spans.size() > MAX_KEPT) {
                    spans.remove(0);
                }
                notifyAll();
            }
            // an empty ExportTraceServiceResponse: everything accepted
            request.response().setStatusCode(200).putHeader("Content-Type", "application/x-protobuf")
                    .end(Buffer.buffer());
        }).onFailure(error -> request.response().setStatusCode(400).end());
    }

    private static byte[] gunzip(Buffer body) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // The OTLP messages read here, by field number (opentelemetry-proto, trace/v1 and common/v1):
    // ExportTraceServiceRequest { 1: repeated ResourceSpans }
    // ResourceSpans { 1: Resource { 1: repeated KeyValue attributes }, 2: repeated ScopeSpans }
    // ScopeSpans { 2: repeated Span }
    // Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 6: kind, 9: repeated KeyValue attributes }
    // KeyValue { 1: key, 2: AnyValue { 1: string, 2: bool, 3: int64, 4: double } }

    static List<CollectedSpan> exportRequest(ByteBuffer message) {
        List<CollectedSpan> spans = new ArrayList<>();
        Protobuf reader = new Protobuf(message);
        while (reader.next()) {
            if (reader.field() == 1) {
                resourceSpans(reader.message(), spans);
            } else {
                reader.skip();
            }
        }
        return spans;
    }

    private static void resourceSpans(ByteBuffer message, List<CollectedSpan> spans) {
        String service = "";
        List<ByteBuffer> scopes = new ArrayList<>();
        Protobuf reader = new Protobuf(message);
        while (reader.next()) {
            if (reader.field() == 1) {
                Protobuf resource = new Protobuf(reader.message());
                Map<String, String> attributes = new LinkedHashMap<>();
                while (resource.next()) {
                    if (resource.field() == 1) {
                        keyValue(resource.message(), attributes);
                    } else {
                        resource.skip();
                    }
                }
                service = attributes.getOrDefault("service.name", "");
            } else if (reader.field() == 2) {
                scopes.add(reader.message());
            } else {
                reader.skip();
            }
        }
        for (ByteBuffer scope : scopes) {
            Protobuf scopeReader = new Protobuf(scope);
            while (scopeReader.next()) {
                if (scopeReader.field() == 2) {
                    spans.add(span(scopeReader.message(), service));
                } else {
                    scopeReader.skip();
                }
            }
        }
    }

    private static CollectedSpan span(ByteBuffer message, String service) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        Protobuf reader = new Protobuf(message);
        while (reader.next()) {
            switch (reader.field()) {
                case 1 -> traceId = HEX.formatHex(bytes(reader.message()));
                case 2 -> spanId = HEX.formatHex(bytes(reader.message()));
                case 4 -> parent = HEX.formatHex(bytes(reader.message()));
                case 5 -> name = string(reader.message());
                case 6 -> kind = (int) reader.varint();
                case 9 -> keyValue(reader.message(), attributes);
                default -> reader.skip();
            }
        }
        return new CollectedSpan(service, traceId, spanId, parent, name, kind, attributes);
    }

    private static void keyValue(ByteBuffer message, Map<String, String> into) {
        String key = null;
        String value = null;
        Protobuf reader = new Protobuf(message);
        while (reader.next()) {
            if (reader.field() == 1) {
                key = string(reader.message());
            } else if (reader.field() == 2) {
                Protobuf any = new Protobuf(reader.message());
                while (any.next()) {
                    switch (any.field()) {
                        case 1 -> value = string(any.message());
                        case 2 -> value = Boolean.toString(any.varint() != 0);
                        case 3 -> value = Long.toString(any.varint());
                        case 4 -> value = Double.toString(Double.longBitsToDouble(any.fixed64()));
                        default -> any.skip();
                    }
                }
            } else {
                reader.skip();
            }
        }
        if (key != null && value != null) {
            into.put(key, value);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static String string(ByteBuffer buffer) {
        return new String(bytes(buffer), StandardCharsets.UTF_8);
    }

    /** Reads the fields of one protobuf message in turn: {@link #next}, then the field's value or {@link #skip}. */
    static final class Protobuf {

        private final ByteBuffer buffer;
        private int field;
        private int wireType;

        Protobuf(ByteBuffer buffer) {
            this.buffer = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean next() {
            if (!buffer.hasRemaining()) {
                return false;
            }
            long tag = varint();
            field = (int) (tag >>> 3);
            wireType = (int) (tag & 7);
            return true;
        }

        int field() {
            return field;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        long fixed64() {
            return buffer.getLong();
        }

        ByteBuffer message() {
            if (wireType != 2) {
                throw new IllegalArgumentException("field " + field + " is not length-delimited");
            }
            int length = (int) varint();
            ByteBuffer value = buffer.slice(buffer.position(), length);
            buffer.position(buffer.position() + length);
            return value;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> message();
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
        }
    }
}
