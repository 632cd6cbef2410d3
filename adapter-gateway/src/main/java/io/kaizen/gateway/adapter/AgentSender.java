package io.kaizen.gateway.adapter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.kaizen.common.tracing.TraceContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends an invocation to its agent: the platform adapter formats it, the W3C trace context and
 * {@code X-Kaizen-Invocation-ID} are added, the agent's outbound auth is applied, and the request goes out through
 * {@link OutboundHttp}. A non-2xx answer fails with {@link UpstreamException} carrying the status and a short
 * excerpt of the answer with anything secret-looking removed.
 *
 * <p>The call is a client span of the invocation's trace, and its {@code traceparent} names that span, so the
 * agent's own spans join the trace. Its parent is the gateway's span of the invoke request, as the invocation stored
 * it, so an asynchronous call, or one executed once approved, is of the invoke's trace too.
 */
@ApplicationScoped
public class AgentSender {

    /** Longest excerpt of a failed answer kept in errors. */
    static final int EXCERPT_CHARS = 200;
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> AGENT = AttributeKey.stringKey("kaizen.agent.id");
    private static final AttributeKey<String> PLATFORM = AttributeKey.stringKey("kaizen.agent.platform");
    private static final AttributeKey<String> INVOCATION = AttributeKey.stringKey("kaizen.invocation.id");

    private final OutboundAuth auth;
    private final OutboundHttp http;
    private final Tracer tracer;

    AgentSender(OutboundAuth auth, OutboundHttp http, Tracer tracer) {
        this.auth = auth;
        this.http = http;
        this.tracer = tracer;
    }

    /** Sends the call through the adapter its caller resolved (before anything was reserved or counted for it). */
    public Uni<AgentReply> send(PlatformAdapter adapter, AgentCall call) {
        Span span = tracer.spanBuilder("POST " + call.agent().platform())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent(call))
                .setAttribute(METHOD, "POST")
                .setAttribute(AGENT, call.agent().id())
                .setAttribute(PLATFORM, call.agent().platform())
                .setAttribute(INVOCATION, call.invocationId())
                .startSpan();
        TraceContext trace = TraceContext.of(Context.root().with(span));
        OutboundRequest formatted = adapter.format(call);
        if (trace != null) {
            formatted = formatted.withHeader("traceparent", trace.traceparent());
            if (trace.tracestate() != null) {
                formatted = formatted.withHeader("tracestate", trace.tracestate());
            }
        }
        OutboundRequest request = formatted.withHeader("X-Kaizen-Invocation-ID", call.invocationId());
        Duration timeout = Duration.ofSeconds(call.agent().timeoutSeconds());
        return exchange(call, request, timeout)
                .chain(reply -> reply.status() == 401 && auth.refreshAfterUnauthorized(call.agent())
                        ? exchange(call, request, timeout) : Uni.createFrom().item(reply))
                .invoke(reply -> span.setAttribute(STATUS, (long) reply.status()))
                .map(reply -> {
                    if (reply.status() < 200 || reply.status() >= 300) {
                        throw new UpstreamException("agent answered HTTP " + reply.status() + excerpt(reply.body()),
                                false, reply.status());
                    }
                    return adapter.read(reply);
                })
                .onItemOrFailure().invoke((reply, failure) -> {
                    if (failure != null) {
                        span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
                    }
                    span.end();
                });
    }

    /** The span the invocation stored (the gateway's span of the request), in the current context's trace flags. */
    private static Context parent(AgentCall call) {
        TraceContext stored = TraceContext.currentOr(call.traceId(), call.spanId());
        return stored == null ? Context.current() : stored.asParent();
    }

    private Uni<OutboundHttp.Reply> exchange(AgentCall call, OutboundRequest request, Duration timeout) {
        return auth.apply(call.agent(), request)
                .chain(signed -> http.post(signed.url(), signed.headers(), Buffer.buffer(signed.body()), timeout));
    }

    /** A short, single-line, secret-free excerpt of an error answer, or nothing when it is empty. */
    static String excerpt(Buffer body) {
        if (body == null || body.length() == 0) {
            return "";
        }
        String text = new String(body.getBytes(0, Math.min(body.length(), EXCERPT_CHARS * 4)), StandardCharsets.UTF_8)
                .replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        text = SecretRedaction.redact(text);
        if (text.length() > EXCERPT_CHARS) {
            text = text.substring(0, EXCERPT_CHARS) + "…";
        }
        return text.isEmpty() ? "" : ": " + text;
    }
}
