package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.Sink;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.service.Deliveries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;

/**
 * Deliveries against a real receiver (the devstack sink) and PostgreSQL: retried on 5xx and 429 as the receiver
 * asks, never on another 4xx, exhausted and replayed, throttled per webhook, and shown to their organisation only,
 * with the destination masked. The test profile makes waits short (GatewayTestResource); every assertion on time
 * compares stored values with each other, never with the clock.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class DeliveryDispatchTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The secret part of the destination, as a webhook URL carries it. */
    private static final String SECRET = "T0001/B0001/Xq7secretWebhookToken";
    private static Vertx vertx;

    private final Invoker caller = new Invoker();
    private Sink sink;

    @Inject
    Deliveries deliveries;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void startSink() {
        sink = new Sink(vertx, 0);
        sink.start();
    }

    @AfterEach
    void stopSink() {
        sink.stop();
    }

    @Test
    void aFlakyDestinationIsRetriedUntilItAccepts() {
        sink.respond(503, 0, "{\"error\":\"busy\"}", 2);

        String id = enqueue(null, null, "/hooks/" + SECRET);

        awaitStatus(id, "delivered");
        List<StoredDeliveries.Attempt> attempts = StoredDeliveries.attempts(id);
        assertThat(attempts).extracting(StoredDeliveries.Attempt::attempt).containsExactly(1, 2, 3);
        assertThat(attempts).extracting(StoredDeliveries.Attempt::statusCode).containsExactly(503, 503, 200);
        assertThat(attempts).extracting(StoredDeliveries.Attempt::errorKind).containsExactly("http", "http", null);
        assertThat(attempts.get(0).responseExcerpt()).isEqualTo("{\"error\":\"busy\"}");
        assertThat(attempts.get(0).error()).isEqualTo("destination answered HTTP 503");
        assertThat(attempts).allSatisfy(attempt -> assertThat(attempt.durationMs()).isNotNegative());
        assertThat(StoredDeliveries.row(id).attempts()).isEqualTo(3);
        assertThat(sink.requests()).hasSize(3);
    }

    @Test
    void eachAttemptCarriesItsOwnWebhookTimestamp() {
        // stored long ago: the attempt tells its own time, or a receiver checking it would refuse a late retry
        OutboundRequest request = OutboundRequest.json(sink.url() + "/hooks/stamped",
                "{\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8))
                .withHeader("webhook-id", "msg_stamped")
                .withHeader("webhook-timestamp", "1000000000");
        String id;
        try {
            id = VertxContextSupport.subscribeAndAwait(() -> deliveries.enqueue(new Deliveries.NewDelivery(
                    caller.organizationId, null, Deliveries.CALLBACK, null, request))).id;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        awaitStatus(id, "delivered");

        long sent = Long.parseLong(sink.requests().get(0).header("webhook-timestamp"));
        assertThat(sent).isGreaterThan(Instant.now().minus(Duration.ofHours(1)).getEpochSecond());
        assertThat(sink.requests().get(0).header("webhook-id")).isEqualTo("msg_stamped");
    }

    @Test
    void aTooManyRequestsAnswerIsRetriedNoEarlierThanItsRetryAfter() {
        sink.respond(429, 0, "{\"error\":\"slow down\"}", 1, Map.of("Retry-After", "2"));

        String id = enqueue(null, null, "/hooks/" + SECRET);

        awaitStatus(id, "delivered");
        List<StoredDeliveries.Attempt> attempts = StoredDeliveries.attempts(id);
        assertThat(attempts).extracting(StoredDeliveries.Attempt::statusCode).containsExactly(429, 200);
        // the backoff alone would wait at most 100 ms in this profile
        assertThat(attempts.get(1).attemptedAt()).isAfterOrEqualTo(attempts.get(0).attemptedAt().plusSeconds(2));
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = { 400, 401, 404, 410 })
    void aClientErrorFailsTheDeliveryWithoutRetry(int status) {
        // the sink would accept a second attempt: there must not be one
        sink.respond(status, 0, "{\"error\":\"no such hook\",\"api_key\":\"sk_live_leaked1234\"}", 1);

        String id = enqueue(null, null, "/hooks/" + SECRET);

        awaitStatus(id, "failed");
        assertThat(StoredDeliveries.attempts(id)).singleElement().satisfies(attempt -> {
            assertThat(attempt.statusCode()).isEqualTo(status);
            assertThat(attempt.responseExcerpt()).contains("no such hook").doesNotContain("sk_live_leaked1234");
        });
        assertThat(StoredDeliveries.row(id).lastStatusCode()).isEqualTo(status);
        assertThat(sink.requests()).hasSize(1);
    }

    @Test
    void aDestinationTheEgressGuardRefusesFailsWithoutRetry() {
        String id = enqueueTo("http://169.254.169.254/latest/meta-data/" + SECRET, null);

        awaitStatus(id, "failed");
        assertThat(StoredDeliveries.attempts(id)).singleElement().satisfies(attempt -> {
            assertThat(attempt.statusCode()).isNull();
            assertThat(attempt.errorKind()).isEqualTo("refused");
            assertThat(attempt.error()).contains("egress guard").doesNotContain(SECRET);
        });
    }

    @Test
    void anUnreachableDestinationIsRetriedUntilExhausted() {
        sink.stop();

        String id = enqueue(null, null, "/hooks/" + SECRET);

        awaitStatus(id, "exhausted");
        assertThat(StoredDeliveries.attempts(id)).hasSize(4).allSatisfy(attempt -> {
            assertThat(attempt.statusCode()).isNull();
            assertThat(attempt.errorKind()).isEqualTo("connection");
            assertThat(attempt.error()).doesNotContain(SECRET).doesNotContain("127.0.0.1");
        });
    }

    @Test
    void anExhaustedDeliveryIsReplayedOnRequestAndNotAgainOnceDelivered() {
        sink.respond(500, 0, null, 4);
        String invocation = StoredDeliveries.invocation(caller.organizationId);
        String id = enqueue(invocation, null, "/hooks/" + SECRET);

        awaitStatus(id, "exhausted");
        assertThat(StoredDeliveries.attempts(id)).extracting(StoredDeliveries.Attempt::statusCode)
                .containsExactly(500, 500, 500, 500);
        assertThat(sink.requests()).hasSize(4);

        given().auth().oauth2(caller.token())
                .when().post("/api/v1/deliveries/{id}/retry", id)
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("status", equalTo("pending"))
                .body("attempt_count", equalTo(4))
                .body("attempts", hasSize(4));

        awaitStatus(id, "delivered");
        assertThat(StoredDeliveries.attempts(id)).extracting(StoredDeliveries.Attempt::attempt)
                .containsExactly(1, 2, 3, 4, 5);
        assertThat(sink.requests()).hasSize(5);

        given().auth().oauth2(caller.token())
                .when().post("/api/v1/deliveries/{id}/retry", id)
                .then().statusCode(409).contentType("application/problem+json")
                .body("status", equalTo("delivered"));
    }

    @Test
    void aDeliveryBeingAttemptedCannotBeReplayed() {
        // the receiver holds the attempt open well beyond the test
        sink.respond(200, 120_000, null, 1);
        String id = enqueue(null, null, "/hooks/" + SECRET);
        sink.awaitRequests(1, PATIENCE);

        given().auth().oauth2(caller.token())
                .when().post("/api/v1/deliveries/{id}/retry", id)
                .then().statusCode(409).contentType("application/problem+json")
                .body("error_code", equalTo("CONFLICT"))
                .body("status", equalTo("pending"));
    }

    @Test
    void requestsToOneSlackWebhookAreSpacedBySecondsInsteadOfSentInABurst() {
        String webhook = "/services/" + UUID.randomUUID();
        List<String> ids = IntStream.range(0, 3).mapToObj(i -> enqueue(null, "slack", webhook)).toList();

        ids.forEach(id -> awaitStatus(id, "delivered"));
        List<StoredDeliveries.Attempt> attempts = ids.stream()
                .map(id -> assertThat(StoredDeliveries.attempts(id)).as("throttled, never dropped nor failed")
                        .singleElement().actual())
                .sorted(Comparator.comparing(StoredDeliveries.Attempt::attemptedAt))
                .toList();
        for (int i = 1; i < attempts.size(); i++) {
            assertThat(Duration.between(attempts.get(i - 1).attemptedAt(), attempts.get(i).attemptedAt()))
                    .as("Slack takes one request per second and webhook").isGreaterThanOrEqualTo(Duration.ofMillis(999));
        }
        assertThat(sink.requests()).hasSize(3);
    }

    @Test
    void anInvocationsDeliveriesShowEveryAttemptAndAMaskedDestination() {
        sink.respond(503, 0, "{\"error\":\"busy\"}", 1);
        String invocation = StoredDeliveries.invocation(caller.organizationId);
        String id = enqueue(invocation, null, "/hooks/" + SECRET + "?token=" + SECRET);
        awaitStatus(id, "delivered");

        String body = given().auth().oauth2(caller.token())
                .when().get("/api/v1/invocations/{id}/deliveries", invocation)
                .then().statusCode(200)
                .body("invocation_id", equalTo(invocation))
                .body("items", hasSize(1))
                .body("items[0].id", equalTo(id))
                .body("items[0].kind", equalTo("callback"))
                .body("items[0].status", equalTo("delivered"))
                .body("items[0].attempt_count", equalTo(2))
                .body("items[0].destination", equalTo("http://127.0.0.1:" + sink.port() + "/…"))
                .body("items[0].attempts", hasSize(2))
                .body("items[0].attempts[0].attempt", equalTo(1))
                .body("items[0].attempts[0].status_code", equalTo(503))
                .body("items[0].attempts[0].error_kind", equalTo("http"))
                .body("items[0].attempts[0].response_excerpt", equalTo("{\"error\":\"busy\"}"))
                .body("items[0].attempts[1].status_code", equalTo(200))
                .extract().asString();
        assertThat(body).doesNotContain(SECRET).doesNotContain("/hooks");
    }

    @Test
    void deliveriesAreListedByStatusAndPage() {
        sink.respond(404, 0, null, 1);
        String failed = enqueue(null, null, "/a/" + SECRET);
        awaitStatus(failed, "failed");
        String first = enqueue(null, null, "/b/" + SECRET);
        awaitStatus(first, "delivered");
        String second = enqueue(null, null, "/c/" + SECRET);
        awaitStatus(second, "delivered");

        given().auth().oauth2(caller.token()).queryParam("status", "failed")
                .when().get("/api/v1/deliveries")
                .then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].id", equalTo(failed))
                .body("items[0].last_status_code", equalTo(404))
                .body("items[0].attempts", hasSize(1))
                .body("items[0].attempts[0].status_code", equalTo(404))
                .body("items[0].next_attempt_at", equalTo(null));
        String page = given().auth().oauth2(caller.token()).queryParam("status", "delivered").queryParam("limit", 1)
                .when().get("/api/v1/deliveries")
                .then().statusCode(200)
                .body("total", equalTo(2))
                .body("items", hasSize(1))
                .body("items[0].id", equalTo(second))
                .body("page", equalTo(1))
                .body("limit", equalTo(1))
                .body("has_more", equalTo(true))
                .extract().asString();
        assertThat(page).doesNotContain(SECRET);
        given().auth().oauth2(caller.token())
                .when().get("/api/v1/deliveries")
                .then().statusCode(200).body("total", equalTo(3)).body(not(containsString(SECRET)));
    }

    @Test
    void badQueriesAreProblems() {
        given().auth().oauth2(caller.token()).queryParam("status", "lost")
                .when().get("/api/v1/deliveries")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("'status'"));
        given().auth().oauth2(caller.token()).queryParam("limit", "0")
                .when().get("/api/v1/deliveries")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(caller.token())
                .when().post("/api/v1/deliveries/{id}/retry", "not-a-delivery")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(caller.token())
                .when().get("/api/v1/invocations/{id}/deliveries", "inv_01JF8ZK3M4Q9V2X7C5N6B8D0EF")
                .then().statusCode(404).contentType("application/problem+json");
        given().when().get("/api/v1/deliveries").then().statusCode(401);
    }

    @Test
    void anotherOrganisationSeesNoneOfIt() {
        String invocation = StoredDeliveries.invocation(caller.organizationId);
        sink.respond(404, 0, null, 1);
        String id = enqueue(invocation, null, "/hooks/" + SECRET);
        awaitStatus(id, "failed");
        Invoker stranger = new Invoker();

        given().auth().oauth2(stranger.token())
                .when().get("/api/v1/invocations/{id}/deliveries", invocation)
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(stranger.token())
                .when().post("/api/v1/deliveries/{id}/retry", id)
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(stranger.token())
                .when().get("/api/v1/deliveries")
                .then().statusCode(200).body("total", equalTo(0)).body("items", hasSize(0));
        assertThat(StoredDeliveries.row(id).status()).as("the stranger's retry changed nothing").isEqualTo("failed");
        given().auth().oauth2(caller.token())
                .when().get("/api/v1/invocations/{id}/deliveries", invocation)
                .then().statusCode(200).body("items[0].id", equalTo(id));
    }

    private String enqueue(String invocationId, String platform, String path) {
        return enqueueTo(sink.url() + path, invocationId, platform);
    }

    private String enqueueTo(String url, String invocationId) {
        return enqueueTo(url, invocationId, null);
    }

    private String enqueueTo(String url, String invocationId, String platform) {
        OutboundRequest request = OutboundRequest.json(url, "{\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
        try {
            return VertxContextSupport.subscribeAndAwait(() -> deliveries.enqueue(new Deliveries.NewDelivery(
                    caller.organizationId, invocationId, Deliveries.CALLBACK, platform, request))).id;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitStatus(String id, String status) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(StoredDeliveries.row(id).status()).isEqualTo(status));
    }
}
