package io.kaizen.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.vertx.core.json.JsonObject;

/**
 * An external agent on a real HTTP server: any path answers a small JSON output, except {@code /redirect-<status>},
 * which answers that redirect status towards {@code /redirected-<status>}, {@code /answer-input}, which answers the
 * invoke's {@code input} text as its body (so a test chooses the agent's answer), {@code /held}, which answers only
 * once {@link #release()} is called (so a test sees a call in flight), and {@code /huge}, a 50 MiB answer (with {@code ?declared}, announced by its Content-Length;
 * otherwise chunked) and records how many bytes it got to send before the caller hung up.
 */
final class TestAgent implements AutoCloseable {

    static final int HUGE_BYTES = 50 * 1024 * 1024;

    /** One request as the agent saw it. */
    record Hit(String path, String host) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Hit> hits = new CopyOnWriteArrayList<>();
    private final List<Long> hugeBytesSent = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    TestAgent() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    List<Hit> hits(String path) {
        return hits.stream().filter(hit -> hit.path().equals(path)).toList();
    }

    /** Lets every held call (path {@code /held}) answer. */
    void release() {
        released.countDown();
    }

    /** Bytes of each finished {@code /huge} answer that the agent got to write before the connection ended. */
    List<Long> hugeBytesSent() {
        return List.copyOf(hugeBytesSent);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] request = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            hits.add(new Hit(path, exchange.getRequestHeaders().getFirst("Host")));
            if (path.startsWith("/redirect-")) {
                String status = path.substring("/redirect-".length());
                exchange.getResponseHeaders().set("Location", url("/redirected-" + status));
                exchange.sendResponseHeaders(Integer.parseInt(status), -1);
            } else if (path.equals("/answer-input")) {
                byte[] body = new JsonObject(new String(request, StandardCharsets.UTF_8)).getString("input")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (path.equals("/held")) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = "{\"answer\":\"released\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (path.equals("/huge")) {
                sendHuge(exchange, "declared".equals(exchange.getRequestURI().getQuery()));
            } else {
                byte[] body = "{\"answer\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        }
    }

    private void sendHuge(HttpExchange exchange, boolean declared) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        long sent = 0;
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, declared ? HUGE_BYTES : 0);
            OutputStream body = exchange.getResponseBody();
            while (sent < HUGE_BYTES) {
                body.write(chunk);
                sent += chunk.length;
            }
            body.flush();
        } catch (IOException e) {
            // the caller cut the connection: what was written so far is the measure
        } finally {
            hugeBytesSent.add(sent);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}
