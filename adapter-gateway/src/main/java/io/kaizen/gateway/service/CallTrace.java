package io.kaizen.gateway.service;

import java.security.SecureRandom;
import java.util.HexFormat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * The trace an invocation belongs to, as it is stored ({@code trace_id}), answered ({@code X-Kaizen-Trace-ID}) and put
 * in its events: the OpenTelemetry trace of the request, continued from the caller's {@code traceparent} when it sent
 * one, and the span of the gateway that handled it. Should tracing be switched off ({@code quarkus.otel.enabled}),
 * fresh random ids of the same form keep every invocation its own trace id.
 */
record CallTrace(String traceId, String spanId) {

    private static final SecureRandom RANDOM = new SecureRandom();

    static CallTrace current() {
        SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? new CallTrace(span.getTraceId(), span.getSpanId())
                : new CallTrace(randomHex(16), randomHex(8));
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
