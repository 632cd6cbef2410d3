package io.kaizen.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.vertx.core.json.JsonObject;

/**
 * An OAuth 2.0 token endpoint on a real HTTP server: every POST is recorded and answered with a new Bearer token,
 * {@code token-1}, {@code token-2}, … and the configured {@code expires_in}; or, when told, with an error. A test can
 * hold the answers until it releases them.
 */
public final class TokenEndpoint implements AutoCloseable {

    /** One token request as the endpoint saw it; header names in lower case. */
    public record Request(Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The form-encoded body as decoded name/value pairs. */
        public Map<String, String> form() {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : body.split("&")) {
                String[] nameValue = pair.split("=", 2);
                form.put(URLDecoder.decode(nameValue[0], StandardCharsets.UTF_8),
                        nameValue.length < 2 ? "" : URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8));
            }
            return form;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger issued = new AtomicInteger();
    private volatile Integer expiresIn = 3600;
    private volatile int errorStatus;
    private volatile String errorBody;
    private volatile CountDownLatch held;
    private final CountDownLatch arrived = new CountDownLatch(1);

    public TokenEndpoint() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/oauth/token", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/token";
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Tokens from now on expire after these seconds; null leaves {@code expires_in} out. */
    public void expiresIn(Integer seconds) {
        expiresIn = seconds;
    }

    /** From now on every request is answered with this status and JSON body. */
    public void fail(int status, String body) {
        errorStatus = status;
        errorBody = body;
    }

    /** From now on answers wait until {@link #release()} (at most a minute). */
    public void hold() {
        held = new CountDownLatch(1);
    }

    /** Whether a first request arrived, waiting for it up to a minute. */
    public boolean awaitArrival() throws InterruptedException {
        return arrived.await(60, TimeUnit.SECONDS);
    }

    public void release() {
        CountDownLatch latch = held;
        if (latch != null) {
            latch.countDown();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                    String.join(", ", values)));
            requests.add(new Request(headers, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            arrived.countDown();
            CountDownLatch latch = held;
            if (latch != null) {
                try {
                    latch.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (errorStatus != 0) {
                answer(exchange, errorStatus, errorBody);
                return;
            }
            JsonObject token = new JsonObject().put("access_token", "token-" + issued.incrementAndGet())
                    .put("token_type", "Bearer");
            if (expiresIn != null) {
                token.put("expires_in", expiresIn);
            }
            answer(exchange, 200, token.encode());
        }
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
