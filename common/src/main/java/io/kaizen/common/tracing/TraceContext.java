package io.kaizen.common.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * A W3C trace context ({@code traceparent}, and {@code tracestate} when there is one) kept outside a running
 * request: with an outbox row until the relay publishes it, as the CloudEvents distributed-tracing extension of
 * the event ({@code ce_traceparent}, {@code ce_tracestate}), and read back by a consumer, whose span continues the
 * trace of the request that wrote the event (docs/operations.md, Tracing).
 */
public record TraceContext(String traceparent, String tracestate) {

    /** Longest {@code tracestate} kept (the W3C recommendation); a longer one is dropped, the trace is not. */
    public static final int MAX_TRACESTATE = 512;
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapGetter<TraceContext> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceContext carrier) {
            return carrier.tracestate == null ? List.of(TRACEPARENT) : List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(TraceContext carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return TRACEPARENT.equals(key) ? carrier.traceparent : TRACESTATE.equals(key) ? carrier.tracestate : null;
        }
    };

    private static final TextMapSetter<Map<String, String>> SETTER = (carrier, key, value) -> carrier.put(key, value);

    public TraceContext {
        if (!valid(traceparent)) {
            throw new IllegalArgumentException("not a W3C traceparent: " + traceparent);
        }
    }

    /** The context of the span current on this thread (or Vert.x context), or null outside any trace. */
    public static TraceContext current() {
        return of(Context.current());
    }

    /** The trace context of {@code context}'s span, or null when it has no valid span. */
    public static TraceContext of(Context context) {
        SpanContext span = Span.fromContext(context).getSpanContext();
        if (!span.isValid()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>(2);
        W3C.inject(context, headers, SETTER);
        String traceparent = headers.get(TRACEPARENT);
        return traceparent == null ? null : new TraceContext(traceparent, blankToNull(headers.get(TRACESTATE)));
    }

    /**
     * The context of span {@code spanId} of trace {@code traceId}: work done for a request after its span moved on or
     * ended (its events, written by a group commit; its agent call; a call executed once approved) stays in the
     * request's trace as a child of the span the request stored. The sampling flag and {@code tracestate} are the
     * current context's when it is of that trace; otherwise the span is taken as sampled.
     */
    public static TraceContext currentOr(String traceId, String spanId) {
        TraceContext current = current();
        boolean same = current != null && traceId.equals(current.traceId());
        String flags = same ? current.traceparent.substring(53) : "01";
        TraceContext stored = of("00-" + traceId + "-" + spanId + "-" + flags, same ? current.tracestate : null);
        return stored != null ? stored : current;
    }

    /**
     * A context read from headers or columns; null when there is no {@code traceparent} or it is not a valid
     * version-00 one (a bad value starts no trace and fails no work).
     */
    public static TraceContext of(String traceparent, String tracestate) {
        return valid(traceparent) ? new TraceContext(traceparent, blankToNull(tracestate)) : null;
    }

    private static boolean valid(String traceparent) {
        return traceparent != null && traceparent.length() == 55 && traceparent.startsWith("00-")
                && traceparent.charAt(35) == '-' && traceparent.charAt(52) == '-'
                && TraceId.isValid(traceparent.subSequence(3, 35)) && SpanId.isValid(traceparent.subSequence(36, 52))
                && isHex(traceparent.charAt(53)) && isHex(traceparent.charAt(54));
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }

    /** An OpenTelemetry context whose (remote) span is this one, to parent a span on. */
    public Context asParent() {
        return W3C.extract(Context.root(), this, GETTER);
    }

    /** The trace id (32 lowercase hex digits). */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() || value.length() > MAX_TRACESTATE ? null : value;
    }
}
