package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasLength;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.gateway.domain.HeldInvocation;
import io.kaizen.gateway.messaging.ApprovalOutcomeConsumer;
import io.kaizen.gateway.service.InvocationService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.kaizen.devstack.Sink;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * A call an approval trigger stops is held (202 pending_approval) with an approval request opened for it; the
 * request's outcome, from {@code kaizen.approvals.v1}, executes it (result read later and posted to its callback) or
 * ends it rejected or expired, once however often the outcome is delivered.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class HeldInvocationTest {

    private static Vertx vertx;
    private static Sink receiver;
    private static KafkaProducer<String, String> producer;

    @Inject
    ApprovalOutcomeConsumer outcomes;
    @Inject
    Vertx quarkusVertx;
    @Inject
    InvocationService invocations;

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        receiver = new Sink(vertx, 0);
        receiver.start();
        Properties props = new Properties();
        props.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        receiver.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void stopAgent() {
        agent.close();
        receiver.reset();
    }

    @Test
    void aCallThatNeedsApprovalIsHeldAndAnswered202WithItsApprovalRequest() throws Exception {
        String agentId = heldAgent();
        var answer = caller.invoking()
                .body("{\"input\": \"transfer funds, password=hunter2\", \"callback_url\": \"" + receiver.url()
                        + "/hooks/result\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202)
                .body("status", equalTo("pending_approval"))
                .body("output", nullValue())
                .extract();
        String id = answer.path("invocation_id");
        String approval = answer.path("approval_request_id");
        assertThat(answer.header("Location")).isEqualTo("/api/v1/invocations/" + id);
        assertThat(approval).startsWith("apr_");

        JsonObject opened = InternalApiStandIn.shared().approvalRequests(id).get(0);
        assertThat(opened.getString("agent_id")).isEqualTo(agentId);
        assertThat(opened.getString("organization_id")).isEqualTo(caller.organizationId);
        assertThat(opened.getString("requested_by")).isEqualTo("user-" + caller.organizationId);
        assertThat(opened.getString("external_user_id")).isEqualTo("ext-user-7");
        assertThat(opened.getString("trigger_reason")).isEqualTo("Cost threshold exceeded ($150.00 > $100.00)");
        assertThat(opened.getString("payload_summary")).startsWith("transfer funds");
        assertThat(opened.getJsonArray("requested_by_roles").getList()).isNotEmpty();
        given().auth().oauth2(caller.token()).when().get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("pending_approval"))
                .body("decision", equalTo("REQUIRE_APPROVAL"));
        assertThat(eventTypes(id)).containsExactly(EventTypes.INVOCATION_HELD);
        assertThat(eventData(id, EventTypes.INVOCATION_HELD).getJsonObject("governance").getString("approval_id"))
                .isEqualTo(approval);
        assertThat(agent.hits("/answer-input")).isEmpty();
    }

    @Test
    void anApprovedCallIsExecutedAndItsResultPostedToItsCallbackOnce() throws Exception {
        String agentId = heldAgent();
        var held = hold(agentId, "{\\\"answer\\\": 42}");
        String id = held[0];
        String approval = held[1];

        publish(EventTypes.APPROVAL_APPROVED, approval, id, "approved");
        publish(EventTypes.APPROVAL_APPROVED, approval, id, "approved");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.answer", equalTo(42)));
        Sink.SinkRequest callback = receiver.awaitRequests(1, Duration.ofSeconds(60)).get(0);
        JsonObject body = new JsonObject(callback.body());
        assertThat(body.getString("invocation_id")).isEqualTo(id);
        assertThat(body.getString("status")).isEqualTo("success");
        assertThat(body.getString("approval_request_id")).isEqualTo(approval);
        assertThat(body.getJsonObject("output").getInteger("answer")).isEqualTo(42);

        // governance was asked again, as the resumption of the approved call
        List<JsonObject> decisions = InternalApiStandIn.shared().decisionRequests(id);
        assertThat(decisions).hasSize(2);
        assertThat(decisions.get(1).getString("approved_request_id")).isEqualTo(approval);
        await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes(id).contains(EventTypes.INVOCATION_COMPLETED));
        JsonObject governance = eventData(id, EventTypes.INVOCATION_COMPLETED).getJsonObject("governance");
        assertThat(governance.getString("approval_id")).isEqualTo(approval);
        assertThat(governance.getString("approval_status")).isEqualTo("approved");
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void aCallWhoseRequestIsApprovedAsItIsOpenedIsExecutedOnceWithoutWaitingForTheEvent() throws Exception {
        String agentId = caller.agent(agent.url("/answer-input"));
        InternalApiStandIn.shared().requireApprovalTrustingEveryone(agentId);
        String[] held = hold(agentId, "{\\\"answer\\\": 5}");
        String id = held[0];

        // no approval event was published: the gateway took the approved call up itself
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.answer", equalTo(5)));
        await().atMost(Duration.ofSeconds(60)).until(() -> heldRows(id) == 0);
        // the approval event arriving afterwards, however often, executes nothing again
        String first = publish(EventTypes.APPROVAL_APPROVED, held[1], id, "approved");
        String second = publish(EventTypes.APPROVAL_APPROVED, held[1], id, "approved");
        assertThat(receiver.awaitRequests(1, Duration.ofSeconds(60))).hasSize(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> processed(first) && processed(second));
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void anApprovedCallLeftHeldByAStoppedGatewayIsTakenUpAgainAndExecutedOnce() throws Exception {
        String[] held = hold(heldAgent(), "{\\\"answer\\\": 7}");
        String id = held[0];
        // the approval was taken up ten minutes ago by a gateway that stopped before it stored the call as accepted
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement mark = db.prepareStatement(
                        "update held_invocation set approved_at = now() - interval '10 minutes' where invocation_id = ?")) {
            mark.setString(1, id);
            assertThat(mark.executeUpdate()).isEqualTo(1);
        }

        Instant now = Instant.now();
        Instant takenBefore = now.minus(Duration.ofMinutes(2));
        var first = DetachedContext.run(quarkusVertx,
                () -> outcomes.retake(takenBefore, now)).subscribeAsCompletionStage();
        var second = DetachedContext.run(quarkusVertx,
                () -> outcomes.retake(takenBefore, now)).subscribeAsCompletionStage();
        // the scheduled sweep may take it up first; whoever does, it is taken up once (the agent's hits, below)
        assertThat(first.get(60, TimeUnit.SECONDS) + second.get(60, TimeUnit.SECONDS)).isLessThanOrEqualTo(1);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.answer", equalTo(7)));
        await().atMost(Duration.ofSeconds(60)).until(() -> heldRows(id) == 0);
        // taken up again, it is no longer stranded
        var again = DetachedContext.run(quarkusVertx,
                () -> outcomes.retake(Instant.now(), Instant.now())).subscribeAsCompletionStage();
        assertThat(again.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(receiver.awaitRequests(1, Duration.ofSeconds(60))).hasSize(1);
    }

    @Test
    void aRejectedCallEndsRejectedWithNothingReservedAndItsCallerIsTold() throws Exception {
        String agentId = heldAgent();
        String[] held = hold(agentId, "hello");
        String id = held[0];

        publish(EventTypes.APPROVAL_REJECTED, held[1], id, "rejected");
        publish(EventTypes.APPROVAL_REJECTED, held[1], id, "rejected");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("rejected"))
                .body("error_code", equalTo("APPROVAL_REJECTED"))
                .body("cost_usd", equalTo(0.0f)));
        // then, once the callback is through, how its delivery ended
        assertThat(eventTypes(id)).startsWith(EventTypes.INVOCATION_HELD, EventTypes.INVOCATION_REJECTED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(eventTypes(id))
                .containsExactly(EventTypes.INVOCATION_HELD, EventTypes.INVOCATION_REJECTED,
                        EventTypes.INVOCATION_DELIVERY_SETTLED));
        assertThat(eventData(id, EventTypes.INVOCATION_DELIVERY_SETTLED).getString("status")).isEqualTo("delivered");
        JsonObject rejected = eventData(id, EventTypes.INVOCATION_REJECTED);
        assertThat(rejected.getJsonObject("result").getString("delivery_status")).isEqualTo("pending");
        assertThat(rejected.getString("status")).isEqualTo("rejected");
        // governance gave the reservation back when it asked for the approval: the event settles nothing
        assertThat(rejected.getJsonObject("governance").getString("reservation_id")).isNull();
        assertThat(rejected.getJsonObject("governance").getString("approval_status")).isEqualTo("rejected");
        assertThat(rejected.getJsonObject("result").getDouble("cost_usd")).isZero();
        JsonObject callback = new JsonObject(receiver.awaitRequests(1, Duration.ofSeconds(60)).get(0).body());
        assertThat(callback.getString("status")).isEqualTo("rejected");
        assertThat(callback.getString("error_message")).isEqualTo("The approval request was rejected: too risky");
        assertThat(agent.hits("/answer-input")).isEmpty();
        assertThat(InternalApiStandIn.shared().decisionRequests(id)).hasSize(1);
    }

    @Test
    void aRejectionWithTheLongestReasonStillEndsTheCall() throws Exception {
        String[] held = hold(heldAgent(), "hello");
        String reason = "r".repeat(1000);

        publish(EventTypes.APPROVAL_REJECTED, held[1], held[0], "rejected", reason);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + held[0]).then().statusCode(200)
                .body("status", equalTo("rejected"))
                .body("error_message", hasLength(500)));
        assertThat(heldRows(held[0])).isZero();
    }

    @Test
    void anExpiredRequestEndsItsCallExpired() throws Exception {
        String[] held = hold(heldAgent(), "hello");
        publish(EventTypes.APPROVAL_EXPIRED, held[1], held[0], "expired");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + held[0]).then().statusCode(200)
                .body("status", equalTo("expired"))
                .body("error_code", equalTo("APPROVAL_EXPIRED")));
        assertThat(eventTypes(held[0])).startsWith(EventTypes.INVOCATION_HELD, EventTypes.INVOCATION_EXPIRED)
                .hasSizeLessThanOrEqualTo(3);
        assertThat(agent.hits("/answer-input")).isEmpty();
    }

    @Test
    void aDuplicateResumptionGivesBackWhatItReservedAndTheCallRunsOnce() throws Exception {
        String[] held = hold(heldAgent(), "{\\\"answer\\\": 5}");
        String id = held[0];
        // two resumptions (a redelivered outcome, a second replica) both get governance's ALLOW before either stores
        InternalApiStandIn.shared().resumptionsTogether(id, 2);
        HeldInvocation row = DetachedContext.run(quarkusVertx,
                        () -> Panache.withSession(() -> HeldInvocation.<HeldInvocation>findById(id)))
                .subscribeAsCompletionStage().get(60, TimeUnit.SECONDS);
        var first = DetachedContext.run(quarkusVertx, () -> invocations.resume(row)).subscribeAsCompletionStage();
        var second = DetachedContext.run(quarkusVertx, () -> invocations.resume(row)).subscribeAsCompletionStage();
        first.get(60, TimeUnit.SECONDS);
        second.get(60, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes(id).contains(EventTypes.INVOCATION_COMPLETED));
        List<String> given = InternalApiStandIn.shared().reservationsGiven(id);
        assertThat(given).hasSize(2);
        String used = eventData(id, EventTypes.INVOCATION_COMPLETED).getJsonObject("governance")
                .getString("reservation_id");
        assertThat(given).contains(used);
        String loser = given.stream().filter(r -> !r.equals(used)).findFirst().orElseThrow();
        // the call that ran settles its own reservation; the one that lost gives its reservation back
        assertThat(InternalApiStandIn.shared().releases()).contains(loser).doesNotContain(used);
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(heldRows(id)).isZero();
    }

    @Test
    void anApprovalThatArrivesBeforeTheHeldCallIsStoredStillExecutesItOnce() throws Exception {
        String agentId = heldAgent();
        // the approver decides, and the gateway processes the outcome, while this gateway has not stored the call yet
        InternalApiStandIn.shared().beforeOpened(agentId, (approval, opening) -> decidedNow(
                EventTypes.APPROVAL_APPROVED, approval, opening.getString("invocation_id"), "approved"));
        String id = hold(agentId, "{\\\"answer\\\": 9}")[0];

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.answer", equalTo(9)));
        await().atMost(Duration.ofSeconds(60)).until(() -> heldRows(id) == 0);
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(receiver.awaitRequests(1, Duration.ofSeconds(60))).hasSize(1);
    }

    @Test
    void aCallApprovedAsItsRequestOpensWhoseApprovalEventCameFirstIsExecutedOnce() throws Exception {
        String agentId = caller.agent(agent.url("/answer-input"));
        InternalApiStandIn.shared().requireApprovalTrustingEveryone(agentId);
        // approval-service approves the trusted requester's request as it opens it, and its approval event reaches
        // the gateway before the call is stored: both the answer and the recorded outcome say approved
        InternalApiStandIn.shared().beforeOpened(agentId, (approval, opening) -> decidedNow(
                EventTypes.APPROVAL_APPROVED, approval, opening.getString("invocation_id"), "approved"));
        String id = hold(agentId, "{\\\"answer\\\": 11}")[0];

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.answer", equalTo(11)));
        await().atMost(Duration.ofSeconds(60)).until(() -> heldRows(id) == 0);
        assertThat(receiver.awaitRequests(1, Duration.ofSeconds(60))).hasSize(1);
        assertThat(agent.hits("/answer-input")).as("executed once").hasSize(1);
        assertThat(InternalApiStandIn.shared().decisionRequests(id).stream()
                .filter(d -> d.getString("approved_request_id") != null)).as("resumed once").hasSize(1);
    }

    @Test
    void aRejectionThatArrivesBeforeTheHeldCallIsStoredEndsItRejected() throws Exception {
        String agentId = heldAgent();
        InternalApiStandIn.shared().beforeOpened(agentId, (approval, opening) -> decidedNow(
                EventTypes.APPROVAL_REJECTED, approval, opening.getString("invocation_id"), "rejected"));
        String id = caller.invoking()
                .body("{\"input\": \"hello\", \"callback_url\": \"" + receiver.url() + "/hooks/result\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202).extract().path("invocation_id");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token()).when()
                .get("/api/v1/invocations/" + id).then().statusCode(200)
                .body("status", equalTo("rejected"))
                .body("error_code", equalTo("APPROVAL_REJECTED"))
                .body("error_message", equalTo("The approval request was rejected: too risky")));
        // then, once the callback is through, how its delivery ended
        assertThat(eventTypes(id)).startsWith(EventTypes.INVOCATION_HELD, EventTypes.INVOCATION_REJECTED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(eventTypes(id))
                .containsExactly(EventTypes.INVOCATION_HELD, EventTypes.INVOCATION_REJECTED,
                        EventTypes.INVOCATION_DELIVERY_SETTLED));
        assertThat(heldRows(id)).isZero();
        assertThat(new JsonObject(receiver.awaitRequests(1, Duration.ofSeconds(60)).get(0).body()).getString("status"))
                .isEqualTo("rejected");
        assertThat(agent.hits("/answer-input")).isEmpty();
    }

    /** Publishes a request's outcome and waits until the gateway processed it. */
    private void decidedNow(String type, String approval, String invocation, String status) {
        try {
            String event = publish(type, approval, invocation, status);
            await().atMost(Duration.ofSeconds(60)).until(() -> processed(event));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean processed(String event) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from processed_event where consumer = 'gateway.approvals' and event_id = ?")) {
            query.setString(1, event);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1) > 0;
            }
        }
    }

    private String heldAgent() {
        String agentId = caller.agent(agent.url("/answer-input"));
        InternalApiStandIn.shared().requireApproval(agentId);
        return agentId;
    }

    /** Invokes with a callback; the invocation id and approval request id of the held call. */
    private String[] hold(String agentId, String input) {
        var answer = caller.invoking()
                .body("{\"input\": \"" + input + "\", \"callback_url\": \"" + receiver.url() + "/hooks/result\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202).body("status", equalTo("pending_approval")).extract();
        return new String[] {answer.path("invocation_id"), answer.path("approval_request_id")};
    }

    /** An approval event as approval-service's relay publishes it. */
    private String publish(String type, String approval, String invocation, String status) throws Exception {
        return publish(type, approval, invocation, status, "too risky");
    }

    /** Publishes the event; its id. */
    private String publish(String type, String approval, String invocation, String status, String reason)
            throws Exception {
        JsonObject data = new JsonObject()
                .put("approval_request_id", approval)
                .put("organization_id", caller.organizationId)
                .put("invocation_ids", List.of(invocation))
                .put("status", status)
                .put("required_approvals", 1)
                .put("approval_count", status.equals("approved") ? 1 : 0)
                .put("decision", status.equals("rejected") ? "reject" : status.equals("approved") ? "approve" : null)
                .put("reason", status.equals("rejected") ? reason : null);
        CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/approval-service", type,
                approval, caller.organizationId, Instant.now(), data.encode());
        producer.send(new ProducerRecord<>("kaizen.approvals.v1", null, approval, event.data(), event.headers()))
                .get();
        return event.id();
    }

    private static int heldRows(String invocation) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from held_invocation where invocation_id = ?")) {
            query.setString(1, invocation);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static List<String> eventTypes(String invocation) throws SQLException {
        List<String> types = new ArrayList<>();
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(
                        "select type from outbox_event where event_key = ? order by occurred_at, id")) {
            query.setString(1, invocation);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    types.add(rows.getString(1));
                }
            }
        }
        return types;
    }

    private static JsonObject eventData(String invocation, String type) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(
                        "select payload from outbox_event where event_key = ? and type = ?")) {
            query.setString(1, invocation);
            query.setString(2, type);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).as(type + " of " + invocation).isTrue();
                return new JsonObject(rows.getString(1));
            }
        }
    }
}
