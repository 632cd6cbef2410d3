package io.kaizen.devstack;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A stand-in for any external endpoint (a Teams webhook, a Slack API, a callback URL): records every request
 * and answers {@code 200 {"result":"ok","received":<the request body>}}, or, when told, slowly or with an error
 * for a number of requests.
 *
 * <p>Control over HTTP, for tests in other processes: {@code PUT /_sink/behaviour} with
 * {@code {"status":503,"delay_ms":0,"body":{...},"times":2,"headers":{"Retry-After":"1"}}} (every field optional;
 * {@code times} -1, the default, lasts until reset), {@code GET /_sink/requests} lists the recorded requests,
 * {@code DELETE /_sink/requests} clears them and the behaviour. Requests under {@code /_sink/} are not recorded;
 * beyond the last 10,000 the oldest are forgotten.
 */
public final class Sink {

    private static final String CONTROL_PREFIX = "/_sink/";
    private static final int UNTIL_RESET = -1;
    /** A long `./kaizen up` session keeps the most recent requests only. */
    private static final int MAX_RECORDED = 10_000;

    private final Vertx vertx;
    private final int requestedPort;
    private final PlatformRules rules;
    private final List<SinkRequest> requests = new ArrayList<>();
    private Behaviour behaviour;
    private HttpServer server;

    /** @param port the port to listen on (0 picks one) */
    public Sink(Vertx vertx, int port) {
        this(vertx, port, null);
    }

    /**
     * A platform emulator: a sink that answers as the platform would, accepting what the platform accepts and
     * rejecting the rest with the platform's error, unless a scripted behaviour (429, 5xx, a delay) says otherwise.
     */
    public Sink(Vertx vertx, int port, PlatformRules rules) {
        this.vertx = vertx;
        this.requestedPort = port;
        this.rules = rules;
    }

    /**
     * One recorded request.
     *
     * @param headers lower-case names; repeated headers joined with {@code ", "}
     * @param query   the raw query string, or null
     */
    public record SinkRequest(String method, String path, String query, Map<String, String> headers, String body, Instant receivedAt) {

        /** A header by name, any case; null when absent. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body parsed as JSON (object, array or scalar). */
        public Object json() {
            return Json.decodeValue(body);
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("method", method)
                    .put("path", path)
                    .put("query", query)
                    .put("headers", new JsonObject(new LinkedHashMap<>(headers)))
                    .put("body", body)
                    .put("received_at", receivedAt.toString());
        }
    }

    private record Behaviour(int status, long delayMillis, String body, Map<String, String> headers, int remaining) {
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        // a sink standing in for a service reads what the router forwards, as the service's codec does
        HttpServer created = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(requestedPort)
                .setMaxInitialLineLength(Router.CODEC_LIMIT).setMaxHeaderSize(Router.CODEC_LIMIT));
        created.requestHandler(this::handle);
        server = Await.result(created.listen(), "sink cannot listen on port " + requestedPort);
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        Await.result(server.close(), "sink close");
        server = null;
    }

    public synchronized int port() {
        return server == null ? requestedPort : server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Answers the next {@code times} requests (-1: until {@link #reset()}) with this status, after this delay.
     *
     * @param bodyJson the response body, sent as {@code application/json}; null for the default echo
     */
    public void respond(int status, long delayMillis, String bodyJson, int times) {
        respond(status, delayMillis, bodyJson, times, Map.of());
    }

    /** As {@link #respond(int, long, String, int)}, with extra response headers such as {@code Retry-After}. */
    public synchronized void respond(int status, long delayMillis, String bodyJson, int times, Map<String, String> headers) {
        if (times == 0 || times < UNTIL_RESET) {
            throw new IllegalArgumentException("times must be positive or -1 (until reset), was " + times);
        }
        behaviour = new Behaviour(status, delayMillis, bodyJson, Map.copyOf(headers), times);
    }

    /** The recorded requests, oldest first. */
    public synchronized List<SinkRequest> requests() {
        return List.copyOf(requests);
    }

    /** Forgets the recorded requests and goes back to the default answer. */
    public synchronized void reset() {
        requests.clear();
        behaviour = null;
    }

    /**
     * Waits until at least {@code count} requests were recorded and returns them all.
     *
     * @throws IllegalStateException when they did not arrive in time
     */
    public synchronized List<SinkRequest> awaitRequests(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("expected " + count + " requests at the sink within " + timeout + ", got "
                        + requests.size() + ": " + requests);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return List.copyOf(requests);
    }

    private void handle(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            if (request.path().startsWith(CONTROL_PREFIX)) {
                control(request, body);
            } else {
                record(request, body);
            }
        }).onFailure(error -> request.response().setStatusCode(400).end());
    }

    private void record(HttpServerRequest request, Buffer body) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b));
        SinkRequest recorded = new SinkRequest(request.method().name(), request.path(), request.query(), headers,
                body.toString(), Instant.now());
        Behaviour current;
        synchronized (this) {
            requests.add(recorded);
            if (requests.size() > MAX_RECORDED) {
                requests.remove(0);
            }
            notifyAll();
            current = behaviour;
            if (current != null && current.remaining() != UNTIL_RESET) {
                behaviour = current.remaining() == 1 ? null
                        : new Behaviour(current.status(), current.delayMillis(), current.body(), current.headers(), current.remaining() - 1);
            }
        }
        answer(request, recorded, current);
    }

    private void answer(HttpServerRequest request, SinkRequest recorded, Behaviour behaviour) {
        if (behaviour == null && rules != null) {
            PlatformRules.Answer answer = rules.answer(recorded);
            request.response().setStatusCode(answer.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, answer.contentType())
                    .end(answer.body());
            return;
        }
        int status = behaviour == null ? 200 : behaviour.status();
        String body = behaviour == null || behaviour.body() == null
                ? new JsonObject().put("result", "ok").put("received", parsed(recorded.body())).encode()
                : behaviour.body();
        Runnable send = () -> {
            HttpServerResponse response = request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
            if (behaviour != null) {
                behaviour.headers().forEach(response::putHeader);
            }
            response.end(body);
        };
        if (behaviour != null && behaviour.delayMillis() > 0) {
            vertx.setTimer(behaviour.delayMillis(), id -> send.run());
        } else {
            send.run();
        }
    }

    private static Object parsed(String body) {
        if (body.isEmpty()) {
            return "";
        }
        try {
            return Json.decodeValue(body);
        } catch (DecodeException e) {
            return body;
        }
    }

    private void control(HttpServerRequest request, Buffer body) {
        String path = request.path();
        HttpMethod method = request.method();
        if (path.equals(CONTROL_PREFIX + "requests") && method == HttpMethod.GET) {
            JsonArray list = new JsonArray();
            requests().forEach(r -> list.add(r.toJson()));
            request.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(list.encode());
        } else if (path.equals(CONTROL_PREFIX + "requests") && method == HttpMethod.DELETE) {
            reset();
            request.response().setStatusCode(204).end();
        } else if (path.equals(CONTROL_PREFIX + "behaviour") && method == HttpMethod.PUT) {
            try {
                JsonObject json = body.toJsonObject();
                Object answer = json.getValue("body");
                String answerBody = answer == null ? null : answer instanceof String text ? text : Json.encode(answer);
                Map<String, String> headers = new LinkedHashMap<>();
                json.getJsonObject("headers", new JsonObject()).forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
                respond(json.getInteger("status", 200), json.getLong("delay_ms", 0L), answerBody, json.getInteger("times", UNTIL_RESET), headers);
                request.response().setStatusCode(204).end();
            } catch (RuntimeException e) {
                request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end(String.valueOf(e.getMessage()));
            }
        } else {
            request.response().setStatusCode(404).end();
        }
    }
}
