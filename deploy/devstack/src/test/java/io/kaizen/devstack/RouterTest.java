package io.kaizen.devstack;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The router in front of one sink per service, so each request shows which service it reached. */
class RouterTest {

    private static Vertx vertx;
    private static final Map<Service, Sink> SINKS = new EnumMap<>(Service.class);
    private static Router router;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Map<String, URI> upstreams = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            Sink sink = new Sink(vertx, 0);
            sink.start();
            SINKS.put(service, sink);
            upstreams.put(service.shortName(), URI.create(sink.url()));
        }
        router = new Router(vertx, 0, RouteTable.load(), upstreams);
        router.start();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() {
        router.stop();
        SINKS.values().forEach(Sink::stop);
        Await.result(vertx.close(), "close");
    }

    @BeforeEach
    void resetSinks() {
        SINKS.values().forEach(Sink::reset);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST, /api/v1/external-agents/agt_1/invoke, gateway",
            "GET, /api/v1/external-agents/agt_1/invocations, gateway",
            "POST, /api/v1/external-agents/agt_1/test, gateway",
            "GET, /api/v1/external-agents/agt_1/governance-status, governance",
            "GET, /api/v1/external-agents/agt_1/budget, governance",
            "PUT, /api/v1/external-agents/agt_1/budget/config, governance",
            "PUT, /api/v1/external-agents/agt_1/governance, governance",
            "GET, /api/v1/external-agents/agt_1/approvals/pending, approval",
            "POST, /api/v1/external-agents, registry",
            "DELETE, /api/v1/external-agents/agt_1, registry",
            "POST, /api/v1/api-keys, registry",
            "POST, /api/v1/policies/simulate, governance",
            "POST, /api/v1/approvals/apr_1/approve, approval",
            "GET, /api/v1/approval-workflows, approval",
            "GET, /approvals/apr_1, approval",
            "GET, /api/v1/lineage, lineage",
            "GET, /api/v1/audit/verify, lineage",
            "GET, /api/v1/invocations/inv_1, gateway",
            "POST, /api/v1/deliveries/dlv_1/replay, gateway",
    })
    void forwardsEachRouteToItsService(String method, String path, String service) {
        Answer answer = call(HttpMethod.valueOf(method), path, Map.of(), method.equals("GET") || method.equals("DELETE") ? null : "{}");

        assertThat(answer.status()).isEqualTo(200);
        Service owner = Service.byShortName(service);
        assertThat(SINKS.get(owner).requests()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo(method);
            assertThat(r.path()).isEqualTo(path);
        });
        Arrays.stream(Service.values()).filter(s -> s != owner)
                .forEach(other -> assertThat(SINKS.get(other).requests()).as(other + " got nothing").isEmpty());
    }

    @Test
    void keepsMethodQueryHeadersAndBody() {
        Answer answer = call(HttpMethod.PATCH, "/api/v1/policies/pol_1?dry_run=true&x=%C3%A9",
                Map.of("Authorization", "Bearer abc", "Content-Type", "application/json", "X-Request-ID", "req-1"),
                "{\"enabled\":false}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getJsonObject("received")).isEqualTo(new JsonObject().put("enabled", false));
        Sink.SinkRequest forwarded = SINKS.get(Service.GOVERNANCE).requests().get(0);
        assertThat(forwarded.method()).isEqualTo("PATCH");
        assertThat(forwarded.path()).isEqualTo("/api/v1/policies/pol_1");
        assertThat(forwarded.query()).isEqualTo("dry_run=true&x=%C3%A9");
        assertThat(forwarded.header("Authorization")).isEqualTo("Bearer abc");
        assertThat(forwarded.header("X-Request-ID")).isEqualTo("req-1");
        assertThat(forwarded.header("Content-Type")).isEqualTo("application/json");
        assertThat(forwarded.body()).isEqualTo("{\"enabled\":false}");
    }

    @Test
    void addsForwardingHeadersAndDropsHopByHopOnes() {
        call(HttpMethod.GET, "/api/v1/lineage", Map.of(
                "X-Forwarded-For", "6.6.6.6",
                "Connection", "keep-alive, X-Hop",
                "X-Hop", "connection-specific",
                "Proxy-Authorization", "Basic secret",
                "TE", "trailers"), null);

        Sink.SinkRequest forwarded = SINKS.get(Service.LINEAGE).requests().get(0);
        assertThat(forwarded.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(forwarded.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(forwarded.header("X-Forwarded-Host")).isEqualTo("127.0.0.1:" + router.port());
        assertThat(forwarded.header("Host")).isEqualTo("127.0.0.1:" + router.port());
        assertThat(forwarded.header("X-Hop")).isNull();
        assertThat(forwarded.header("Proxy-Authorization")).isNull();
        assertThat(forwarded.header("TE")).isNull();
    }

    @Test
    void streamsLargeBodiesBothWays() {
        String big = "x".repeat(3 * 1024 * 1024);
        Answer answer = call(HttpMethod.POST, "/api/v1/invocations", Map.of("Content-Type", "text/plain"), big);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getString("received")).hasSize(big.length());
        assertThat(SINKS.get(Service.GATEWAY).requests().get(0).body()).isEqualTo(big);
    }

    @Test
    void forwardsChunkedUploads() {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(router.port())
                .setURI("/api/v1/audit/export");
        Answer answer = onEventLoop(() -> client.request(options).compose(request -> {
            request.setChunked(true);
            request.write("{\"part\":");
            request.write("1}");
            request.end();
            return request.response().compose(response -> response.body().map(body -> new Answer(response, body.toString())));
        }), "chunked call");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(SINKS.get(Service.LINEAGE).requests().get(0).body()).isEqualTo("{\"part\":1}");
    }

    @Test
    void passesUpstreamStatusAndHeadersThrough() {
        SINKS.get(Service.REGISTRY).respond(409, 0, "{\"error_code\":\"CONFLICT\"}", 1, Map.of("X-Kaizen-Trace-ID", "t-1"));

        Answer answer = call(HttpMethod.POST, "/api/v1/external-agents", Map.of(), "{}");

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.header("X-Kaizen-Trace-ID")).isEqualTo("t-1");
        assertThat(answer.body()).isEqualTo("{\"error_code\":\"CONFLICT\"}");
    }

    @Test
    void relaysAnswersWithoutABody() {
        SINKS.get(Service.REGISTRY).respond(204, 0, "", 1);
        Answer noContent = call(HttpMethod.DELETE, "/api/v1/external-agents/agt_1", Map.of(), null);
        Answer head = call(HttpMethod.HEAD, "/api/v1/api-keys", Map.of(), null);

        assertThat(noContent.status()).isEqualTo(204);
        assertThat(noContent.body()).isEmpty();
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(SINKS.get(Service.REGISTRY).requests()).extracting(Sink.SinkRequest::method).containsExactly("DELETE", "HEAD");
    }

    @Test
    void internalPathsAreNotFound() {
        Answer answer = call(HttpMethod.GET, "/internal/v1/agents/agt_1", Map.of(), null);

        assertProblem(answer, 404, "NOT_FOUND", "/internal/v1/agents/agt_1");
        SINKS.values().forEach(sink -> assertThat(sink.requests()).isEmpty());
    }

    @Test
    void problemsCarryTheCallersRequestId() {
        Answer answer = call(HttpMethod.GET, "/nowhere", Map.of("X-Request-ID", "trace-42"), null);
        assertThat(new JsonObject(answer.body()).getString("request_id")).isEqualTo("trace-42");
    }

    @Test
    void unknownPathsAreNotFound() {
        assertProblem(call(HttpMethod.GET, "/api/v2/nothing", Map.of(), null), 404, "NOT_FOUND", "/api/v2/nothing");
        assertProblem(call(HttpMethod.GET, "/", Map.of(), null), 404, "NOT_FOUND", "/");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "/api/v1/policies/../../internal/v1/agents",
            "/api/v1/policies/%2e%2e/%2e%2e/internal/v1/agents",
            "/./internal/v1/agents/agt_1",
            "/%69nternal/v1/agents/agt_1",
            "//internal/v1/agents/agt_1",
            "/x/../internal/v1/agents/agt_1",
            "/internal%2Fv1%2Fagents%2Fagt_1",
            "/api/v1/external-agents/agt_1/%69nvoke",
            "/api/v1/external-agents//agt_1",
            "/api/v1/external-agents/agt_1%2fapprovals%2fpending",
            "/api/v1/external-agents/agt_1/x%",
    })
    void nonCanonicalPathsAreRefusedAndNeverForwarded(String path) {
        assertProblem(call(HttpMethod.GET, path, Map.of(), null), 400, "VALIDATION_ERROR", path);
        SINKS.values().forEach(sink -> assertThat(sink.requests()).isEmpty());
    }

    /** Sizes are the services' to judge (SizeLimitProblems): the router forwards what Vert.x's defaults refused. */
    @Test
    void longTargetsAndLargeHeaderBlocksAreForwardedForTheServiceToJudge() {
        String query = "name=" + "q".repeat(8 * 1024); // over Vert.x's default request line of 4 KiB
        String padding = "h".repeat(24 * 1024); // over its default header block of 8 KiB

        Answer answer = call(HttpMethod.GET, "/api/v1/policies?" + query, Map.of("X-Padding", padding), null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(SINKS.get(Service.GOVERNANCE).requests()).singleElement().satisfies(r -> {
            assertThat(r.query()).isEqualTo(query);
            assertThat(r.header("X-Padding")).isEqualTo(padding);
        });
    }

    @Test
    void aLongUnknownPathIsNotEchoedWhole() {
        String path = "/api/v2/" + "p".repeat(8 * 1024);

        assertProblem(call(HttpMethod.GET, path, Map.of(), null), 404, "NOT_FOUND", path.substring(0, 256));
    }

    @Test
    void anUnreachableServiceIsABadGateway() {
        int deadPort = FreePort.pick(1).get(0);
        router.setUpstream("approval", URI.create("http://127.0.0.1:" + deadPort));
        try {
            assertProblem(call(HttpMethod.POST, "/api/v1/approvals/apr_1/approve", Map.of(), "{}"), 502, "UPSTREAM_ERROR",
                    "/api/v1/approvals/apr_1/approve");
        } finally {
            router.setUpstream("approval", URI.create(SINKS.get(Service.APPROVAL).url()));
        }
    }

    private static void assertProblem(Answer answer, int status, String errorCode, String instance) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getString("type")).isEqualTo("https://kaizen.io/problems/" + errorCode.toLowerCase().replace('_', '-'));
        assertThat(problem.getString("title")).isNotBlank();
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("detail")).isNotBlank();
        assertThat(problem.getString("instance")).isEqualTo(instance);
        assertThat(problem.getString("error_code")).isEqualTo(errorCode);
        assertThat(problem.getString("request_id")).isNotBlank();
    }

    private static Answer call(HttpMethod method, String uri, Map<String, String> headers, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(router.port()).setURI(uri)
                .setTimeout(Duration.ofSeconds(20).toMillis());
        headers.forEach(options::putHeader);
        return onEventLoop(() -> client.request(options)
                .compose(request -> body == null ? request.send() : request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(b -> new Answer(response, b.toString()))), method + " " + uri);
    }

    /**
     * Runs a client exchange on a Vert.x context: composed from the test thread, a response could arrive before
     * its body handler is set.
     */
    private static <T> T onEventLoop(Supplier<Future<T>> exchange, String what) {
        Promise<T> result = Promise.promise();
        vertx.runOnContext(ignored -> exchange.get().onComplete(result));
        return Await.result(result.future(), what);
    }

    private record Answer(int status, Map<String, String> headers, String body) {

        Answer(HttpClientResponse response, String body) {
            this(response.statusCode(), lowerCase(response), body);
        }

        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        private static Map<String, String> lowerCase(HttpClientResponse response) {
            Map<String, String> headers = new LinkedHashMap<>();
            response.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
            return headers;
        }
    }
}
