package io.kaizen.gateway.adapter;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends an invocation to its agent: the platform adapter formats it, the W3C trace context and
 * {@code X-Kaizen-Invocation-ID} are added, the agent's outbound auth is applied, and the request goes out through
 * {@link OutboundHttp}. A non-2xx answer fails with {@link UpstreamException} carrying the status and a short
 * excerpt of the answer with anything secret-looking removed.
 */
@ApplicationScoped
public class AgentSender {

    /** Longest excerpt of a failed answer kept in errors. */
    static final int EXCERPT_CHARS = 200;

    private final OutboundAuth auth;
    private final OutboundHttp http;

    AgentSender(OutboundAuth auth, OutboundHttp http) {
        this.auth = auth;
        this.http = http;
    }

    /** Sends the call through the adapter its caller resolved (before anything was reserved or counted for it). */
    public Uni<AgentReply> send(PlatformAdapter adapter, AgentCall call) {
        OutboundRequest request = adapter.format(call)
                .withHeader("traceparent", call.traceparent())
                .withHeader("X-Kaizen-Invocation-ID", call.invocationId());
        Duration timeout = Duration.ofSeconds(call.agent().timeoutSeconds());
        return exchange(call, request, timeout)
                .chain(reply -> reply.status() == 401 && auth.refreshAfterUnauthorized(call.agent())
                        ? exchange(call, request, timeout) : Uni.createFrom().item(reply))
                .map(reply -> {
                    if (reply.status() < 200 || reply.status() >= 300) {
                        throw new UpstreamException("agent answered HTTP " + reply.status() + excerpt(reply.body()),
                                false, reply.status());
                    }
                    return adapter.read(reply);
                });
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
