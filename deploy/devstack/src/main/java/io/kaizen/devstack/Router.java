package io.kaizen.devstack;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;

import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The local stand-in for the production ingress: one HTTP port that forwards each request, by path
 * ({@link RouteTable}), to the service that owns it. Bodies are streamed both ways; method, path, query string
 * and end-to-end headers are kept; a path not in canonical form is 400, {@code /internal/**} and unknown paths are
 * 404, an unreachable service 502, a silent one 504, all as {@code application/problem+json}.
 */
public final class Router {

    /** Idle time allowed between bytes of an upstream answer; a synchronous invoke may take a while. */
    private static final long UPSTREAM_IDLE_TIMEOUT_MILLIS = 120_000;

    // RFC 9110 §7.6.1 connection-specific headers, plus the ones this proxy sets itself
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");
    private static final Set<String> FORWARDING = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded");

    // separators that normalisation leaves encoded but a service could still decode into segments
    private static final Pattern HIDDEN_SEPARATOR = Pattern.compile("%2[fF]|%5[cC]|\\\\");

    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]+");

    /**
     * The HTTP codec's limits of a request line and a header block, as the services' (common's
     * microprofile-config.properties): under them a request is forwarded and its service judges its size, answering
     * over its own limits with a problem document (SizeLimitProblems); Vert.x's defaults (4 and 8 KiB) would answer
     * here first, with a bare status.
     */
    static final int CODEC_LIMIT = 64 * 1024;

    private final Vertx vertx;
    private final int requestedPort;
    private final RouteTable routes;
    private final Map<String, URI> upstreams;
    private HttpServer server;
    private HttpClient client;

    /**
     * @param port      the port to listen on (0 picks one)
     * @param upstreams base URL per service short name ({@code registry} → {@code http://127.0.0.1:8081})
     */
    public Router(Vertx vertx, int port, RouteTable routes, Map<String, URI> upstreams) {
        this.vertx = vertx;
        this.requestedPort = port;
        this.routes = routes;
        this.upstreams = new ConcurrentHashMap<>(upstreams);
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        client = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout(5000)
                        .setKeepAlive(true)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
        HttpServer created = vertx.createHttpServer(new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(requestedPort)
                .setCompressionSupported(false)
                .setMaxInitialLineLength(CODEC_LIMIT)
                .setMaxHeaderSize(CODEC_LIMIT));
        created.requestHandler(this::handle);
        server = Await.result(created.listen(), "router cannot listen on port " + requestedPort);
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        Await.result(server.close(), "router close");
        Await.result(client.close(), "router client close");
        server = null;
        client = null;
    }

    public synchronized int port() {
        return server == null ? requestedPort : server.actualPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Points a service's routes at another base URL, e.g. when a service is started on a free port. */
    public void setUpstream(String service, URI baseUrl) {
        upstreams.put(service, baseUrl);
    }

    public Map<String, URI> upstreams() {
        return Map.copyOf(upstreams);
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        if (!isCanonical(path)) {
            problem(request, 400, "Bad Request", "VALIDATION_ERROR", "The request path is not in canonical form "
                    + "(dot or empty segments, encoded separators, or escaped characters that need no escaping)");
            return;
        }
        Optional<RouteTable.Route> route = routes.match(path).filter(RouteTable.Route::routed);
        if (route.isEmpty()) {
            problem(request, 404, "Not Found", "NOT_FOUND", "No route for " + path);
            return;
        }
        String service = route.get().service();
        URI upstream = upstreams.get(service);
        if (upstream == null) {
            problem(request, 502, "Bad Gateway", "UPSTREAM_ERROR", "No address is configured for the " + service + " service");
            return;
        }
        request.pause();
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost(upstream.getHost())
                .setPort(upstream.getPort())
                .setURI(request.uri())
                .setIdleTimeout(UPSTREAM_IDLE_TIMEOUT_MILLIS)
                .setHeaders(forwardedHeaders(request));
        client.request(options)
                .onFailure(error -> upstreamFailed(request, service, error))
                .onSuccess(upstreamRequest -> send(request, upstreamRequest, service));
    }

    /**
     * Whether a path is its own normal form: a path that normalises to another one could be routed here by what it
     * looks like and reach, in the service, what it normalises to ({@code /x/../internal}, {@code /%69nternal}).
     * The services refuse such paths too (CanonicalPathGuard in common); the rule is the same.
     */
    public static boolean isCanonical(String path) {
        try {
            return path != null && path.equals(HttpUtils.normalizePath(path)) && !HIDDEN_SEPARATOR.matcher(path).find();
        } catch (IllegalArgumentException e) {
            return false; // a broken percent escape
        }
    }

    private void send(HttpServerRequest request, HttpClientRequest upstreamRequest, String service) {
        String contentLength = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean hasBody = contentLength != null || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (contentLength != null) {
            upstreamRequest.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
        }
        if (hasBody) {
            upstreamRequest.send(request)
                    .onSuccess(response -> relay(request, response))
                    .onFailure(error -> upstreamFailed(request, service, error));
        } else {
            request.resume();
            upstreamRequest.send()
                    .onSuccess(response -> relay(request, response))
                    .onFailure(error -> upstreamFailed(request, service, error));
        }
    }

    private void relay(HttpServerRequest request, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = request.response();
        if (response.ended() || response.closed()) {
            upstreamResponse.request().reset();
            return;
        }
        response.setStatusCode(upstreamResponse.statusCode());
        response.setStatusMessage(upstreamResponse.statusMessage());
        copyEndToEnd(upstreamResponse.headers(), response.headers());
        String contentLength = upstreamResponse.getHeader(HttpHeaders.CONTENT_LENGTH);
        int status = upstreamResponse.statusCode();
        boolean bodyless = request.method() == HttpMethod.HEAD || status == 204 || status == 304 || status < 200;
        if (bodyless) {
            if (contentLength != null && request.method() == HttpMethod.HEAD) {
                response.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
            }
            upstreamResponse.end().onComplete(done -> response.end());
            return;
        }
        if (contentLength != null) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, contentLength);
        }
        response.send(upstreamResponse).onFailure(error -> response.reset());
    }

    private MultiMap forwardedHeaders(HttpServerRequest request) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        copyEndToEnd(request.headers(), headers);
        FORWARDING.forEach(headers::remove);
        // the router is the edge: what a client claims about forwarding is replaced, never trusted
        headers.set("X-Forwarded-For", request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress());
        headers.set("X-Forwarded-Proto", request.isSSL() ? "https" : "http");
        HostAndPort authority = request.authority();
        if (authority != null) {
            String host = authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
            headers.set("X-Forwarded-Host", host);
            headers.set(HttpHeaders.HOST, host);
        }
        return headers;
    }

    private static void copyEndToEnd(MultiMap from, MultiMap to) {
        Set<String> connectionTokens = new HashSet<>();
        for (String value : from.getAll(HttpHeaders.CONNECTION)) {
            for (String token : value.split(",")) {
                connectionTokens.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        from.forEach(header -> {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !connectionTokens.contains(name)) {
                to.add(header.getKey(), header.getValue());
            }
        });
    }

    private void upstreamFailed(HttpServerRequest request, String service, Throwable error) {
        if (request.response().headWritten()) {
            request.response().reset();
            return;
        }
        request.resume();
        if (error instanceof TimeoutException || error.getClass().getSimpleName().contains("Timeout")) {
            problem(request, 504, "Gateway Timeout", "UPSTREAM_TIMEOUT", "The " + service + " service did not answer in time");
        } else {
            problem(request, 502, "Bad Gateway", "UPSTREAM_ERROR", "The " + service + " service is unreachable");
        }
    }

    /** The suite's problem details (type URI per error code, as the services' own mapper writes them). */
    private static void problem(HttpServerRequest request, int status, String title, String errorCode, String detail) {
        JsonObject body = new JsonObject()
                .put("type", "https://kaizen.io/problems/" + errorCode.toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                // a long path (up to the codec's limit) is not echoed whole
                .put("instance", request.path().length() <= 256 ? request.path() : request.path().substring(0, 256))
                .put("error_code", errorCode)
                .put("request_id", requestId(request));
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(body.encode());
    }

    /** The caller's {@code X-Request-ID} when it is sane, else a new one. */
    private static String requestId(HttpServerRequest request) {
        String given = request.getHeader("X-Request-ID");
        if (given != null && given.length() <= 128 && SANE_REQUEST_ID.matcher(given).matches()) {
            return given;
        }
        return "req_" + UUID.randomUUID().toString().replace("-", "");
    }
}
