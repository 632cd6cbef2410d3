package io.kaizen.gateway.adapter;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.TimeoutException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientResponse;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The gateway's only way out: every request passes the egress guard, connects to the address the guard checked,
 * never follows redirects, reads at most 1 MiB of the answer, and is cut off at the agent's timeout.
 */
@ApplicationScoped
public class OutboundHttp {

    /** Largest response body read from an agent. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final Vertx vertx;
    private final EgressGuard guard;
    private final HttpClient client;

    OutboundHttp(Vertx vertx, EgressGuard guard) {
        this.vertx = vertx;
        this.guard = guard;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                // the trace context is the caller's to set (AgentSender's span); the client adds no span of its own
                .setTracingPolicy(TracingPolicy.IGNORE)
                .setConnectTimeout(5000)
                .setMaxPoolSize(100)
                .setKeepAlive(true));
    }

    /** An answer; {@code retryAfter} is its {@code Retry-After} header, or null. */
    public record Reply(int status, String contentType, Buffer body, String retryAfter) {

        public Reply(int status, String contentType, Buffer body) {
            this(status, contentType, body, null);
        }
    }

    public Uni<Reply> post(String url, Map<String, String> headers, Buffer body, Duration timeout) {
        return post("agent", url, headers, body, timeout);
    }

    /** A POST to another kind of destination (an OAuth token endpoint), which errors name as {@code destination}. */
    public Uni<Reply> post(String destination, String url, Map<String, String> headers, Buffer body, Duration timeout) {
        // unordered: an ordered blocking task waits for the context's previous one, so lookups would queue behind
        // each other; each check stands alone
        return vertx.executeBlocking(Uni.createFrom().item(() -> guard.check(url)), false)
                .onFailure(EgressDeniedException.class)
                .transform(e -> new EgressRefusedException("destination refused by egress guard: " + e.getMessage()))
                .chain(target -> {
                    RequestOptions options = new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost(target.host())
                            .setPort(target.port())
                            .setSsl(target.https())
                            .setURI(target.pathAndQuery())
                            .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(target.address(), target.port())))
                            .setFollowRedirects(false);
                    headers.forEach(options::addHeader);
                    return client.request(options)
                            .chain(request -> request.send(body))
                            .chain(OutboundHttp::readCapped);
                })
                .ifNoItem().after(timeout).fail()
                .onFailure(TimeoutException.class)
                .transform(e -> new UpstreamException(destination + " did not answer within " + timeout.toSeconds() + " s", true, null))
                .onFailure(e -> !(e instanceof UpstreamException))
                .transform(e -> new UpstreamException(destination + " unreachable: " + e.getClass().getSimpleName(), false, null));
    }

    /**
     * The response body, at most {@link #MAX_RESPONSE_BYTES}: a declared length over the cap is refused before a
     * byte is read, and a longer stream is cut off once the count passes the cap. Either way the connection is
     * reset so the rest is never received.
     */
    private static Uni<Reply> readCapped(HttpClientResponse response) {
        return Uni.createFrom().emitter(emitter -> {
            // also hears the reset below; the emitter keeps the first outcome, so a cut-off stays "too large"
            response.exceptionHandler(emitter::fail);
            if (declaredLength(response) > MAX_RESPONSE_BYTES) {
                emitter.fail(tooLarge(response));
                response.request().reset();
                return;
            }
            Buffer received = Buffer.buffer();
            AtomicBoolean cut = new AtomicBoolean();
            response.handler(chunk -> {
                if (cut.get()) {
                    return;
                }
                if (received.length() + chunk.length() > MAX_RESPONSE_BYTES) {
                    cut.set(true);
                    emitter.fail(tooLarge(response));
                    response.request().reset();
                    return;
                }
                received.appendBuffer(chunk);
            });
            response.endHandler(() -> emitter.complete(
                    new Reply(response.statusCode(), response.getHeader("Content-Type"), received,
                            response.getHeader("Retry-After"))));
        });
    }

    private static long declaredLength(HttpClientResponse response) {
        String declared = response.getHeader("Content-Length");
        try {
            return declared == null ? -1 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static UpstreamException tooLarge(HttpClientResponse response) {
        return new UpstreamException("agent response is larger than 1 MiB", false, response.statusCode());
    }

    @PreDestroy
    void close() {
        client.closeAndAwait();
    }
}
