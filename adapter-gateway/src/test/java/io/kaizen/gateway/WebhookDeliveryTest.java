package io.kaizen.gateway;

import static io.kaizen.gateway.WebhookApiTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.Sink;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

/**
 * Organisation webhooks fed by events on the devstack's Kafka and delivered to a real HTTP receiver (the devstack
 * sink), which this test checks the way a receiver would: the Standard Webhooks signature, or the legacy one with
 * the timestamp in the MAC. Only subscribed events of the webhook's organisation go out, once each however often
 * Kafka delivers them; a webhook that keeps failing is disabled with an event; the test send is asynchronous. The
 * test profile disables a webhook after 3 failures in a row (GatewayTestResource).
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class WebhookDeliveryTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static Vertx vertx;

    private final Invoker owner = new Invoker();
    private Sink sink;

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
    void anInvocationEventReachesTheWebhookSignedTheStandardWebhooksWay() {
        Hook hook = create(owner, sink.url() + "/hooks/ops", "[\"invocation.failed\"]", "standard");
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        ProducerRecord<String, String> event = invocationFailed(owner.organizationId, invocationId);

        SuiteEvents.publish(event);

        Sink.SinkRequest request = sink.awaitRequests(1, PATIENCE).get(0);
        assertThat(request.path()).isEqualTo("/hooks/ops");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("webhook-id")).isEqualTo(SuiteEvents.id(event));
        assertThat(request.header("X-Webhook-Signature")).isNull();
        assertStandardSignature(request, hook.secret());
        JsonPath body = JsonPath.from(request.body());
        assertThat(body.getString("specversion")).isEqualTo("1.0");
        assertThat(body.getString("id")).isEqualTo(SuiteEvents.id(event));
        assertThat(body.getString("type")).isEqualTo(EventTypes.INVOCATION_FAILED);
        assertThat(body.getString("subject")).isEqualTo(invocationId);
        assertThat(body.getString("organizationid")).isEqualTo(owner.organizationId);
        assertThat(body.getString("data.error")).isEqualTo("agent timed out");

        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id())
                .then().statusCode(200).body("total", equalTo(1))
                .body("items[0].status", equalTo("delivered"))
                .body("items[0].kind", equalTo("webhook"))
                .body("items[0].invocation_id", equalTo(invocationId))
                .body("items[0].attempts[0].status_code", equalTo(200)));
        as(owner).when().get("/api/v1/webhooks/{id}", hook.id()).then()
                .body("consecutive_failures", equalTo(0)).body("last_delivery_at", matchesPattern(".+"));
    }

    @Test
    void legacySigningSignsTheTimestampWithTheBody() throws GeneralSecurityException {
        Hook hook = create(owner, sink.url() + "/legacy", "[\"invocation.*\"]", "legacy");

        SuiteEvents.publish(invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)));

        Sink.SinkRequest request = sink.awaitRequests(1, PATIENCE).get(0);
        String timestamp = request.header("X-Webhook-Timestamp");
        assertThat(timestamp).matches("[0-9]{10}");
        byte[] key = hook.secret().getBytes(StandardCharsets.UTF_8);
        assertThat(request.header("X-Webhook-Signature"))
                .isEqualTo("sha256=" + hexHmac(key, timestamp + "." + request.body()))
                // the original signed the body alone: a replay with another timestamp would have verified
                .isNotEqualTo("sha256=" + hexHmac(key, request.body()));
        assertThat(request.header("webhook-signature")).isNull();
    }

    @Test
    void onlySubscribedEventsOfTheWebhooksOrganisationGoOut() {
        Hook hook = create(owner, sink.url() + "/only", "[\"invocation.failed\", \"budget.*\"]", "standard");
        Hook disabled = create(owner, sink.url() + "/disabled", "[\"invocation.failed\"]", "standard");
        as(owner).body("{\"status\": \"disabled\"}").when().patch("/api/v1/webhooks/{id}", disabled.id())
                .then().statusCode(200);
        Invoker stranger = new Invoker();
        ProducerRecord<String, String> threshold = SuiteEvents.event(Topics.GOVERNANCE,
                EventTypes.BUDGET_THRESHOLD_CROSSED, owner.organizationId, "agt_1",
                "{\"threshold_percentage\": 90, \"scope\": \"monthly\"}");
        ProducerRecord<String, String> failed = invocationFailed(owner.organizationId,
                PrefixedId.next(PrefixedId.INVOCATION));

        SuiteEvents.publish(
                SuiteEvents.event(Topics.INVOCATIONS, EventTypes.INVOCATION_COMPLETED, owner.organizationId,
                        PrefixedId.next(PrefixedId.INVOCATION), "{}"),
                invocationFailed(stranger.organizationId, PrefixedId.next(PrefixedId.INVOCATION)),
                SuiteEvents.event(Topics.GOVERNANCE, EventTypes.DECISION_EVALUATED, owner.organizationId, "agt_1", "{}"),
                SuiteEvents.event(Topics.AGENTS, EventTypes.AGENT_UPDATED, owner.organizationId, "agt_1", "{}"),
                threshold, failed);

        // each topic's events are read in order: once the last of each went out, the ones before it were passed over
        List<Sink.SinkRequest> requests = sink.awaitRequests(2, PATIENCE);
        assertThat(requests).extracting(request -> request.header("webhook-id"))
                .containsExactlyInAnyOrder(SuiteEvents.id(threshold), SuiteEvents.id(failed));
        assertThat(requests).extracting(Sink.SinkRequest::path).containsOnly("/only");
        as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id()).then().body("total", equalTo(2));
        as(owner).when().get("/api/v1/webhooks/{id}/deliveries", disabled.id()).then().body("total", equalTo(0));
    }

    @Test
    void anEventKafkaDeliversTwiceGoesOutOnce() {
        Hook hook = create(owner, sink.url() + "/once", "[\"invocation.failed\"]", "standard");
        ProducerRecord<String, String> event = invocationFailed(owner.organizationId,
                PrefixedId.next(PrefixedId.INVOCATION));
        ProducerRecord<String, String> later = invocationFailed(owner.organizationId,
                PrefixedId.next(PrefixedId.INVOCATION));

        SuiteEvents.publish(event, event, later);

        List<Sink.SinkRequest> requests = sink.awaitRequests(2, PATIENCE);
        assertThat(requests).extracting(request -> request.header("webhook-id"))
                .containsExactlyInAnyOrder(SuiteEvents.id(event), SuiteEvents.id(later));
        as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id()).then().body("total", equalTo(2));
    }

    @Test
    void aWebhookFailingInARowIsDisabledAndAnEventSaysSo() {
        sink.respond(400, 0, "{\"error\":\"no such hook\"}", -1);
        Sink watcher = new Sink(vertx, 0);
        watcher.start();
        try {
            Hook failing = create(owner, sink.url() + "/gone", "[\"invocation.failed\"]", "standard");
            Hook other = create(owner, watcher.url() + "/watch", "[\"webhook.disabled\", \"invocation.failed\"]",
                    "standard");

            for (int i = 0; i < 3; i++) {
                SuiteEvents.publish(invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)));
            }

            await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}", failing.id())
                    .then().body("status", equalTo("disabled")).body("consecutive_failures", equalTo(3))
                    .body("disabled_at", matchesPattern(".+")));
            ConsumerRecord<String, String> disabled = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                    Topics.AGENTS, record -> EventTypes.WEBHOOK_DISABLED.equals(TopicReader.header(record, "ce_type"))
                            && failing.id().equals(record.key()), 1, PATIENCE).get(0);
            JsonPath data = JsonPath.from(disabled.value());
            assertThat(data.getString("webhook_id")).isEqualTo(failing.id());
            assertThat(data.getString("organization_id")).isEqualTo(owner.organizationId);
            assertThat(data.getInt("consecutive_failures")).isEqualTo(3);
            assertThat(data.getString("last_error")).isEqualTo("destination answered HTTP 400");
            assertThat(disabled.value()).doesNotContain("/gone").doesNotContain(failing.secret());
            assertThat(TopicReader.header(disabled, "ce_organizationid")).isEqualTo(owner.organizationId);

            // the organisation's other webhook hears of it, and of the next failure, which the disabled one misses
            List<Sink.SinkRequest> told = watcher.awaitRequests(4, PATIENCE);
            assertThat(told).filteredOn(request -> request.body().contains(EventTypes.WEBHOOK_DISABLED))
                    .singleElement().satisfies(request -> assertThat(JsonPath.from(request.body())
                            .getString("data.webhook_id")).isEqualTo(failing.id()));
            ProducerRecord<String, String> after = invocationFailed(owner.organizationId,
                    PrefixedId.next(PrefixedId.INVOCATION));
            SuiteEvents.publish(after);
            watcher.awaitRequests(5, PATIENCE);
            assertThat(watcher.requests()).extracting(request -> request.header("webhook-id"))
                    .contains(SuiteEvents.id(after));
            as(owner).when().get("/api/v1/webhooks/{id}/deliveries", failing.id()).then().body("total", equalTo(3));
            as(owner).when().get("/api/v1/webhooks/{id}", other.id()).then().body("status", equalTo("active"));

            as(owner).body("{\"status\": \"active\"}").when().patch("/api/v1/webhooks/{id}", failing.id())
                    .then().statusCode(200).body("status", equalTo("active")).body("consecutive_failures", equalTo(0));
        } finally {
            watcher.stop();
        }
    }

    @Test
    void aDeliveredEventClearsTheFailuresBeforeTheLimit() {
        sink.respond(400, 0, "{}", 2);
        Hook hook = create(owner, sink.url() + "/flaky", "[\"invocation.failed\"]", "standard");

        SuiteEvents.publish(invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)),
                invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)));
        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}", hook.id())
                .then().body("consecutive_failures", equalTo(2)));
        SuiteEvents.publish(invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)));

        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}", hook.id())
                .then().body("consecutive_failures", equalTo(0)).body("status", equalTo("active")));
    }

    @Test
    void anExhaustedDeliveryCountsOnceAndIsRetriedThroughTheWebhook() {
        sink.respond(503, 0, "{\"error\":\"busy\"}", -1);
        Hook hook = create(owner, sink.url() + "/busy", "[\"invocation.failed\"]", "standard");
        SuiteEvents.publish(invocationFailed(owner.organizationId, PrefixedId.next(PrefixedId.INVOCATION)));

        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id())
                .then().body("items[0].status", equalTo("exhausted")).body("items[0].attempt_count", equalTo(4)));
        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}", hook.id())
                .then().body("consecutive_failures", equalTo(1)).body("status", equalTo("active")));
        String deliveryId = as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id())
                .then().extract().path("items[0].id");
        sink.reset();

        as(owner).when().post("/api/v1/webhooks/{id}/deliveries/{delivery}/retry", hook.id(), deliveryId)
                .then().statusCode(200).body("status", equalTo("pending"));

        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id())
                .then().body("items[0].status", equalTo("delivered")).body("items[0].attempt_count", equalTo(5)));
        assertStandardSignature(sink.requests().get(0), hook.secret());
        as(owner).when().get("/api/v1/webhooks/{id}", hook.id()).then().body("consecutive_failures", equalTo(0));
        Invoker stranger = new Invoker();
        as(stranger).when().post("/api/v1/webhooks/{id}/deliveries/{delivery}/retry", hook.id(), deliveryId)
                .then().statusCode(404);
    }

    @Test
    void theTestSendAnswers202AndDeliversASignedSampleLater() {
        Hook hook = create(owner, sink.url() + "/test", "[\"agent.*\"]", "standard");

        as(owner).body("{\"event_type\": \"budget.threshold_crossed\", \"sample_data\": {\"threshold_percentage\": 90}}")
                .when().post("/api/v1/webhooks/{id}/test", hook.id())
                .then().statusCode(202)
                .body("id", matchesPattern("dlv_[0-9A-Z]{26}"))
                .body("kind", equalTo("webhook"))
                .body("status", equalTo("pending"))
                .body("attempt_count", equalTo(0))
                .body("attempts", empty());

        Sink.SinkRequest request = sink.awaitRequests(1, PATIENCE).get(0);
        assertStandardSignature(request, hook.secret());
        JsonPath body = JsonPath.from(request.body());
        assertThat(body.getString("type")).isEqualTo(EventTypes.BUDGET_THRESHOLD_CROSSED);
        assertThat(body.getBoolean("data.test")).isTrue();
        assertThat(body.getInt("data.sample_data.threshold_percentage")).isEqualTo(90);
        await().atMost(PATIENCE).untilAsserted(() -> as(owner).when().get("/api/v1/webhooks/{id}/deliveries", hook.id())
                .then().body("items[0].status", equalTo("delivered")));

        as(owner).body("{\"event_type\": \"budget.*\"}").when().post("/api/v1/webhooks/{id}/test", hook.id())
                .then().statusCode(400).body("unknown_events", equalTo(List.of("budget.*")));
        as(owner).body("{}").when().post("/api/v1/webhooks/{id}/test", hook.id()).then().statusCode(400);
    }

    private record Hook(String id, String secret) {
    }

    private static Hook create(Invoker caller, String url, String eventsJson, String signing) {
        Response created = as(caller).body("{\"name\": \"Hook\", \"url\": \"" + url + "\", \"events\": " + eventsJson + ", \"signing\": \""
                        + signing + "\"}")
                .when().post("/api/v1/webhooks").then().statusCode(201).extract().response();
        return new Hook(created.path("id"), created.path("secret"));
    }

    private static ProducerRecord<String, String> invocationFailed(String organizationId, String invocationId) {
        return SuiteEvents.event(Topics.INVOCATIONS, EventTypes.INVOCATION_FAILED, organizationId, invocationId,
                "{\"invocation_id\": \"" + invocationId + "\", \"error\": \"agent timed out\"}");
    }

    /** What a Standard Webhooks receiver checks: v1 HMAC-SHA256 of "{id}.{timestamp}.{body}" under the secret. */
    static void assertStandardSignature(Sink.SinkRequest request, String secret) {
        String id = request.header("webhook-id");
        String timestamp = request.header("webhook-timestamp");
        assertThat(id).startsWith("evt_");
        assertThat(timestamp).matches("[0-9]{10}");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            String expected = Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + request.body()).getBytes(StandardCharsets.UTF_8)));
            assertThat(request.header("webhook-signature")).isEqualTo("v1," + expected);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static String hexHmac(byte[] key, String content) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }
}
