package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.net.Socket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.RawHttp;
import io.kaizen.gateway.service.InvocationSweep;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * An allowed call is stored as accepted before its agent is called; its final state replaces that row. An
 * asynchronous invoke answers 202 once accepted and its result is read later; an accepted call left behind by a
 * gateway that stopped is closed as failed, with its event, once overdue.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvocationLifecycleTest {

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @Inject
    InvocationSweep sweep;
    @Inject
    Vertx vertx;

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void aCallInFlightIsStoredAsAcceptedAndItsAnswerReplacesThatRow() throws Exception {
        String agentId = caller.agent(agent.url("/held"));

        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> caller.invoking().when()
                .post("/api/v1/external-agents/" + agentId + "/invoke"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !agent.hits("/held").isEmpty());
        String id = single("select id from invocation where agent_id = ? and status = 'accepted'", agentId);
        assertThat(id).as("stored before the agent answers").isNotNull();
        assertThat(single("select pending_event from invocation where id = ?", id))
                .as("the failure event is ready should the gateway stop now").contains("\"failure\"");
        given().auth().oauth2(caller.token()).when().get("/api/v1/invocations/" + id)
                .then().statusCode(200).body("status", equalTo("accepted")).body("completed_at", nullValue());

        agent.release();
        answer.join().then().statusCode(200).body("invocation_id", equalTo(id));
        assertThat(single("select status from invocation where id = ?", id)).isEqualTo("success");
        assertThat(single("select count(*) from invocation where id = ?", id)).isEqualTo("1");
        assertThat(single("select pending_event from invocation where id = ?", id)).isNull();
    }

    @Test
    void aCallerThatHangsUpMidCallDoesNotCutTheCallShort() throws Exception {
        String agentId = caller.agent(agent.url("/held"));
        Map<String, String> headers = new HashMap<>(Invoker.LINEAGE);
        headers.put("Authorization", "Bearer " + caller.token());
        headers.put("Content-Type", "application/json");
        try (Socket socket = RawHttp.send(RestAssured.port, "POST", "/api/v1/external-agents/" + agentId + "/invoke",
                headers, "{\"input\": \"hello\"}")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !agent.hits("/held").isEmpty());
        }
        String id = single("select id from invocation where agent_id = ?", agentId);

        // the caller is gone; the agent answers, and the call ends with that answer, charged as any other
        agent.release();
        await().atMost(Duration.ofSeconds(60)).until(() -> "success".equals(
                single("select status from invocation where id = ?", id)));
        assertThat(single("select count(*) from outbox_event where event_key = ? and type = ?", id,
                EventTypes.INVOCATION_COMPLETED)).isEqualTo("1");
    }

    @Test
    void anAsynchronousInvokeAnswers202AtOnceAndItsResultIsReadLater() {
        String agentId = caller.agent(agent.url("/held"));

        Response accepted = caller.invoking().queryParam("mode", "async").when()
                .post("/api/v1/external-agents/" + agentId + "/invoke");
        accepted.then().statusCode(202)
                .body("status", equalTo("accepted"))
                .body("output", nullValue())
                .header("X-RateLimit-Remaining", notNullValue());
        String id = accepted.path("invocation_id");
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/invocations/" + id);
        assertThat(accepted.header("X-Kaizen-Invocation-ID")).isEqualTo(id);

        agent.release();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(caller.token())
                .when().get("/api/v1/invocations/" + id)
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .body("mode", equalTo("async"))
                .body("output.answer", equalTo("released"))
                .body("external_agent_id", equalTo(agentId)));
    }

    @Test
    void anUnknownModeIsA400() {
        String agentId = caller.agent(agent.url("/ok"));
        caller.invoking().queryParam("mode", "later").when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("Query parameter 'mode' must be sync or async"));
    }

    @Test
    void anAcceptedCallPastItsDeadlineIsClosedAsFailedWithItsEvent() throws Exception {
        String agentId = caller.agent(agent.url("/held"));
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> caller.invoking().when()
                .post("/api/v1/external-agents/" + agentId + "/invoke"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !agent.hits("/held").isEmpty());
        String id = single("select id from invocation where agent_id = ? and status = 'accepted'", agentId);

        assertThat(sweep(Instant.now())).as("not overdue yet").isZero();
        // as a sweep would find it once the gateway that accepted it has been gone past the deadline
        int closed = sweep(Instant.now().plus(Duration.ofHours(1)));

        assertThat(closed).isGreaterThanOrEqualTo(1);
        assertThat(single("select status || ' ' || error_code from invocation where id = ?", id))
                .isEqualTo("failure OUTCOME_UNKNOWN");
        JsonObject event = new JsonObject(single(
                "select payload from outbox_event where event_key = ? and type = ?", id, EventTypes.INVOCATION_FAILED));
        assertThat(event.getString("status")).isEqualTo("failure");
        assertThat(event.getJsonObject("result").getString("error_message"))
                .isEqualTo("the gateway stopped before the agent answered");
        assertThat(event.getJsonObject("external_user").getString("email"))
                .isEqualTo("jane.smith@company.example");

        // the agent answers after all: the call ends with its real outcome, written over the closed row
        agent.release();
        answer.join().then().statusCode(200).body("invocation_id", equalTo(id));
        assertThat(single("select status || ' ' || coalesce(error_code, '-') from invocation where id = ?", id))
                .isEqualTo("success -");
        assertThat(single("select count(*) from outbox_event where event_key = ? and type = ?", id,
                EventTypes.INVOCATION_COMPLETED)).isEqualTo("1");
    }

    /** Two replicas sweeping at once close each overdue call once: one event per call, whichever closed it. */
    @Test
    void twoSweepsAtOnceCloseEachOverdueCallOnce() throws Exception {
        String agentId = caller.agent(agent.url("/held"));
        // a thread per call: the common pool may have a single thread on two cores, and each call waits for the agent
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Response>> answers = IntStream.range(0, 4).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke"), callers)).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> agent.hits("/held").size() == 4);
        Instant later = Instant.now().plus(Duration.ofHours(1));

        CompletableFuture<Integer> first = DetachedContext.run(vertx, () -> sweep.closeOverdue(later))
                .subscribeAsCompletionStage();
        CompletableFuture<Integer> second = DetachedContext.run(vertx, () -> sweep.closeOverdue(later))
                .subscribeAsCompletionStage();

        assertThat(first.get(60, TimeUnit.SECONDS) + second.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(4);
        assertThat(single("select count(*) from invocation where agent_id = ? and status = 'failure'", agentId))
                .isEqualTo("4");
        assertThat(single("select count(*) from outbox_event where type = ? and event_key in"
                + " (select id from invocation where agent_id = ?)", EventTypes.INVOCATION_FAILED, agentId))
                .as("one event per call").isEqualTo("4");
        agent.release();
        answers.forEach(CompletableFuture::join);
        callers.shutdown();
    }

    @Test
    void anAgentsInvocationsAreListedNewestFirstWithFiltersAndOnlyForItsOrganisation() {
        String agentId = caller.agent(agent.url("/ok"));
        for (int i = 0; i < 3; i++) {
            caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke").then().statusCode(200);
        }
        given().auth().oauth2(caller.token()).queryParam("limit", 2)
                .when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(200)
                .body("items", hasSize(2)).body("total", equalTo(3)).body("has_more", equalTo(true))
                .body("items[0].status", equalTo("success"));
        given().auth().oauth2(caller.token()).queryParam("status", "blocked")
                .when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(caller.token()).queryParam("start_date", Instant.now().plusSeconds(3600).toString())
                .when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(caller.token()).queryParam("status", "done")
                .when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(caller.token()).queryParam("start_date", "yesterday")
                .when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(400).contentType("application/problem+json");

        Invoker stranger = new Invoker();
        given().auth().oauth2(stranger.token()).when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(200).body("total", equalTo(0));
        String id = given().auth().oauth2(caller.token()).when()
                .get("/api/v1/external-agents/" + agentId + "/invocations").path("items[0].invocation_id");
        given().auth().oauth2(stranger.token()).when().get("/api/v1/invocations/" + id)
                .then().statusCode(404).contentType("application/problem+json");
    }

    private int sweep(Instant now) {
        return DetachedContext.run(vertx, () -> sweep.closeOverdue(now)).await().atMost(Duration.ofSeconds(60));
    }

    private static String single(String sql, String... parameters) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
