package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink.SinkRequest;
import io.kaizen.devstack.TopicReader;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Every answer of {@code POST /api/v1/external-agents/{id}/invoke}, through the router to registry, governance,
 * the gateway and lineage as separate processes: the status, its headers and problem body, the
 * {@code invocation.*} event on Kafka and the lineage row each outcome leaves; then asynchronous calls, idempotent
 * replays and result callbacks.
 */
class OutcomesIT {

    private static final String INVOCATIONS = "kaizen.invocations.v1";
    private static final String DELIVERY_SETTLED = "kaizen.invocation.delivery_settled.v1";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Suite suite = Suite.get();

    @AfterEach
    void resetSink() {
        suite.stack.sink().reset();
    }

    @Test
    void aSuccessfulCallIs200WithItsCompletedEventAndLineageRow() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Success Bot", "\"cost_per_execution\": 0.05");

        Response answer = invoke(token, agentId, "{\"input\": \"hello\"}")
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .body("output.result", equalTo("ok"))
                .header("X-Kaizen-Cost-USD", "0.05")
                .header("X-RateLimit-Limit", notNullValue())
                .header("X-RateLimit-Remaining", notNullValue())
                .header("X-RateLimit-Reset", notNullValue())
                .extract().response();
        String invocationId = invocationIdOf(answer);

        assertEvent(invocationId, "kaizen.invocation.completed.v1", "success", null);
        awaitLineage(token, invocationId, agentId, "success", null, "ALLOW");
        suite.as(token).when().get("/api/v1/lineage/" + invocationId)
                .then().body("response_status_code", equalTo(200)).body("cost_usd", equalTo(0.05f))
                .body("rate_limit_remaining", equalTo(Integer.parseInt(answer.header("X-RateLimit-Remaining"))));
        suite.as(token).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")).body("mode", equalTo("sync"));
    }

    @Test
    void aCallBeyondTheBudgetIs402AndTheAgentIsNotCalled() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Budget Bot", "\"max_monthly_cost\": 0.01, \"cost_per_execution\": 0.05");

        Response refused = invoke(token, agentId, "{\"input\": \"too dear\"}")
                .then().statusCode(402).contentType("application/problem+json")
                .body("error_code", equalTo("BUDGET_EXCEEDED"))
                .body("decision_id", matchesPattern("dec_[0-9A-Z]{26}"))
                .header("X-Budget-Limit", notNullValue())
                .header("X-Budget-Reset", notNullValue())
                .extract().response();
        String invocationId = invocationIdOf(refused);

        assertEvent(invocationId, "kaizen.invocation.blocked.v1", "blocked", "BUDGET_EXCEEDED");
        awaitLineage(token, invocationId, agentId, "blocked", "BUDGET_EXCEEDED", "DENY_BUDGET");
        assertThat(callsTo("Outcome Budget Bot")).isEmpty();
    }

    @Test
    void aCallAPolicyDeniesIs403AndTheAgentIsNotCalled() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Policy Bot", "\"cost_per_execution\": 0.05");
        String policyId = suite.as(token).body("""
                {"name": "no_outcome_policy_bot", "effect": "deny", "target": {"agent_ids": ["%s"]}}
                """.formatted(agentId))
                .when().post("/api/v1/policies")
                .then().statusCode(201).extract().path("id");

        // governance may take a moment to see its new policy; every attempt before it does is an ordinary 200
        AtomicReference<Response> refused = new AtomicReference<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            refused.set(invoke(token, agentId, "{\"input\": \"forbidden\"}").then().extract().response());
            return refused.get().statusCode() == 403;
        });
        Response answer = refused.get();
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.<String>path("error_code")).isEqualTo("POLICY_DENIED");
        assertThat(answer.<String>path("policy_id")).isEqualTo(policyId);
        assertThat(answer.<List<String>>path("matched_policies")).contains(policyId);
        String invocationId = invocationIdOf(answer);

        assertEvent(invocationId, "kaizen.invocation.blocked.v1", "blocked", "POLICY_DENIED");
        awaitLineage(token, invocationId, agentId, "blocked", "POLICY_DENIED", "DENY_POLICY");
        suite.as(token).when().get("/api/v1/lineage/" + invocationId)
                .then().body("matched_policy_id", equalTo(policyId));
    }

    @Test
    void aCallBeyondTheRateLimitIs429WithRetryAfter() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        // one call a day as well, so that no window rolling over on a slow machine lets the second call through
        String agentId = register(token, "Outcome Rate Bot",
                "\"requests_per_minute\": 1, \"requests_per_hour\": 1, \"requests_per_day\": 1");

        invoke(token, agentId, "{\"input\": \"first\"}").then().statusCode(200)
                .header("X-RateLimit-Limit", "1").header("X-RateLimit-Remaining", "0");
        Response limited = invoke(token, agentId, "{\"input\": \"second\"}")
                .then().statusCode(429).contentType("application/problem+json")
                .body("error_code", equalTo("RATE_LIMIT_EXCEEDED"))
                .body("limit", equalTo(1))
                .body("remaining", equalTo(0))
                .header("X-RateLimit-Limit", "1")
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", notNullValue())
                .extract().response();
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 86_400);
        assertThat(limited.<Integer>path("retry_after_seconds")).isEqualTo(Integer.parseInt(limited.header("Retry-After")));
        assertThat(Instant.parse(limited.header("X-RateLimit-Reset"))).isAfter(Instant.now().minusSeconds(1));
        String invocationId = invocationIdOf(limited);

        assertEvent(invocationId, "kaizen.invocation.blocked.v1", "blocked", "RATE_LIMIT_EXCEEDED");
        awaitLineage(token, invocationId, agentId, "blocked", "RATE_LIMIT_EXCEEDED", "DENY_RATE");
        suite.as(token).when().get("/api/v1/lineage/" + invocationId).then().body("rate_limit_remaining", equalTo(0));
        assertThat(callsTo("Outcome Rate Bot")).hasSize(1);
    }

    @Test
    void anInactiveOrDeletedAgentIs409AndLeavesNoInvocation() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String paused = register(token, "Outcome Paused Bot", "\"cost_per_execution\": 0.05");
        String deleted = register(token, "Outcome Deleted Bot", "\"cost_per_execution\": 0.05");
        Map<String, String> agents = Map.of(paused, "Outcome Paused Bot", deleted, "Outcome Deleted Bot");
        suite.as(token).body("{\"status\": \"inactive\"}").when().patch("/api/v1/external-agents/" + paused)
                .then().statusCode(200);
        suite.as(token).when().delete("/api/v1/external-agents/" + deleted).then().statusCode(204);

        for (String agentId : List.of(paused, deleted)) {
            Response refused = invoke(token, agentId, "{\"input\": \"anyone there?\"}")
                    .then().statusCode(409).contentType("application/problem+json")
                    .body("error_code", equalTo("CONFLICT"))
                    .extract().response();
            assertThat(refused.header("X-Kaizen-Invocation-ID")).isNull();
            suite.as(token).when().get("/api/v1/external-agents/" + agentId + "/invocations")
                    .then().statusCode(200).body("total", equalTo(0));
            suite.as(token).queryParam("external_agent_id", agentId).when().get("/api/v1/lineage")
                    .then().statusCode(200).body("total", equalTo(0));
            assertThat(callsTo(agents.get(agentId))).isEmpty();
        }
        suite.as(token).when().get("/api/v1/external-agents/" + paused + "/budget")
                .then().statusCode(200).body("cost_reserved", equalTo(0.0f));
    }

    @Test
    void anAgentAnswering500Is502WithTheUpstreamStatus() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Broken Bot", "\"cost_per_execution\": 0.05");
        suite.stack.sink().respond(500, 0, "{\"error\": \"database on fire\"}", 1);

        Response failed = invoke(token, agentId, "{\"input\": \"hello\"}")
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("upstream_status", equalTo(500))
                .extract().response();
        String invocationId = invocationIdOf(failed);

        assertEvent(invocationId, "kaizen.invocation.failed.v1", "failure", "UPSTREAM_ERROR");
        awaitLineage(token, invocationId, agentId, "failure", "UPSTREAM_ERROR", "ALLOW");
        suite.as(token).when().get("/api/v1/lineage/" + invocationId)
                .then().body("response_status_code", equalTo(500)).body("cost_usd", equalTo(0.0f));
        suite.as(token).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200).body("status", equalTo("failure"))
                .body("error_code", equalTo("UPSTREAM_ERROR")).body("response_status_code", equalTo(500));
    }

    @Test
    void anAgentSlowerThanItsTimeoutIs504() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Slow Bot", "\"cost_per_execution\": 0.05, \"timeout_seconds\": 2");
        // far beyond the agent's two seconds, so a slow machine cannot make the answer arrive in time
        suite.stack.sink().respond(200, 60_000, null, 1);

        Response timedOut = invoke(token, agentId, "{\"input\": \"take your time\"}")
                .then().statusCode(504).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_TIMEOUT"))
                .extract().response();
        String invocationId = invocationIdOf(timedOut);

        assertEvent(invocationId, "kaizen.invocation.failed.v1", "timeout", "UPSTREAM_TIMEOUT");
        awaitLineage(token, invocationId, agentId, "timeout", "UPSTREAM_TIMEOUT", "ALLOW");
        suite.as(token).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200).body("status", equalTo("timeout")).body("error_code", equalTo("UPSTREAM_TIMEOUT"));
    }

    @Test
    void anAsyncCallIs202AndItsResultIsReadAtItsLocation() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Async Bot", "\"cost_per_execution\": 0.05");

        Response accepted = invoke(token, agentId, "async", "{\"input\": \"later please\"}")
                .then().statusCode(202)
                .body("status", equalTo("accepted"))
                .body("trace_id", matchesPattern("[0-9a-f]{32}"))
                .header("X-RateLimit-Limit", notNullValue())
                .header("X-RateLimit-Remaining", notNullValue())
                .header("X-RateLimit-Reset", notNullValue())
                .extract().response();
        String invocationId = invocationIdOf(accepted);
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/invocations/" + invocationId);

        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token).when().get(accepted.header("Location"))
                .then().statusCode(200)
                .body("invocation_id", equalTo(invocationId))
                .body("mode", equalTo("async"))
                .body("status", equalTo("success"))
                .body("output.result", equalTo("ok"))
                .body("output.received.input", equalTo("later please"))
                .body("cost_usd", equalTo(0.05f)));
        assertEvent(invocationId, "kaizen.invocation.completed.v1", "success", null);
        awaitLineage(token, invocationId, agentId, "success", null, "ALLOW");
    }

    @Test
    void anAsyncCallWhoseAgentFailsShowsTheFailureAtItsLocation() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Async Broken Bot", "\"cost_per_execution\": 0.05");
        suite.stack.sink().respond(500, 0, "{\"error\": \"no\"}", 1);

        String invocationId = invocationIdOf(invoke(token, agentId, "async", "{\"input\": \"x\"}")
                .then().statusCode(202).extract().response());

        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200)
                .body("status", equalTo("failure"))
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("response_status_code", equalTo(500))
                .body("output", nullValue()));
        assertEvent(invocationId, "kaizen.invocation.failed.v1", "failure", "UPSTREAM_ERROR");
        awaitLineage(token, invocationId, agentId, "failure", "UPSTREAM_ERROR", "ALLOW");
    }

    @Test
    void anIdempotentReplayIsTheFirstAnswerAndTheAgentIsCalledOnce() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Idempotent Bot", "\"cost_per_execution\": 0.05");
        String body = "{\"input\": \"charge me once\"}";

        Response first = invoke(token, agentId, "sync", body, "order-42").then().statusCode(200).extract().response();
        String invocationId = invocationIdOf(first);
        assertThat(first.header("Idempotent-Replayed")).isNull();

        Response replay = invoke(token, agentId, "sync", body, "order-42")
                .then().statusCode(200)
                .header("Idempotent-Replayed", "true")
                .body("invocation_id", equalTo(invocationId))
                .body("output.result", equalTo("ok"))
                .extract().response();
        for (String header : List.of("X-Kaizen-Invocation-ID", "X-Kaizen-Trace-ID", "X-Kaizen-Cost-USD",
                "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")) {
            assertThat(replay.header(header)).as(header).isEqualTo(first.header(header));
        }
        assertThat(callsTo("Outcome Idempotent Bot")).hasSize(1);

        invoke(token, agentId, "sync", "{\"input\": \"something else\"}", "order-42")
                .then().statusCode(422).contentType("application/problem+json")
                .body("error_code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        invoke(token, agentId, "async", body, "order-42")
                .then().statusCode(422).body("error_code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        assertThat(callsTo("Outcome Idempotent Bot")).hasSize(1);

        assertEvent(invocationId, "kaizen.invocation.completed.v1", "success", null);
        awaitLineage(token, invocationId, agentId, "success", null, "ALLOW");
        suite.as(token).when().get("/api/v1/external-agents/" + agentId + "/invocations")
                .then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void anIdempotentAsyncReplayIsTheSame202AndARefusalIsReplayedToo() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Outcome Idempotent Async Bot", "\"cost_per_execution\": 0.05");
        String body = "{\"input\": \"in the background, once\"}";

        Response first = invoke(token, agentId, "async", body, "job-7").then().statusCode(202).extract().response();
        String invocationId = invocationIdOf(first);
        Response replay = invoke(token, agentId, "async", body, "job-7")
                .then().statusCode(202)
                .header("Idempotent-Replayed", "true")
                .body("invocation_id", equalTo(invocationId))
                .extract().response();
        assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token).when().get(first.header("Location"))
                .then().statusCode(200).body("status", equalTo("success")));
        assertThat(callsTo("Outcome Idempotent Async Bot")).hasSize(1);

        // a refusal is an answer like any other: its replay is the same refusal, not a second decision
        String broke = register(token, "Outcome Idempotent Broke Bot",
                "\"max_monthly_cost\": 0.01, \"cost_per_execution\": 0.05");
        Response refused = invoke(token, broke, "sync", body, "job-8").then().statusCode(402).extract().response();
        invoke(token, broke, "sync", body, "job-8")
                .then().statusCode(402)
                .header("Idempotent-Replayed", "true")
                .header("X-Kaizen-Invocation-ID", invocationIdOf(refused))
                .body("error_code", equalTo("BUDGET_EXCEEDED"))
                .body("invocation_id", equalTo(invocationIdOf(refused)));
    }

    @Test
    void theOutcomeIsPostedToTheCallbackUrl() {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = register(token, "Outcome Callback Bot", "\"cost_per_execution\": 0.05");
        String callbackPath = "/callbacks/" + org;

        String invocationId = invocationIdOf(invoke(token, agentId, "async", """
                {"input": "call me back", "callback_url": "%s%s"}
                """.formatted(suite.stack.sinkUrl(), callbackPath))
                .then().statusCode(202).extract().response());

        AtomicReference<SinkRequest> callback = new AtomicReference<>();
        await().atMost(PATIENCE).until(() -> {
            suite.stack.sink().requests().stream().filter(r -> r.path().equals(callbackPath)).findFirst()
                    .ifPresent(callback::set);
            return callback.get() != null;
        });
        SinkRequest delivered = callback.get();
        assertThat(delivered.method()).isEqualTo("POST");
        assertThat(delivered.header("X-Kaizen-Invocation-ID")).isEqualTo(invocationId);
        assertThat(delivered.header("webhook-id")).isEqualTo(invocationId);
        assertThat(delivered.header("webhook-timestamp")).matches("[0-9]+");
        JsonPath outcome = JsonPath.from(delivered.body());
        assertThat(outcome.getString("invocation_id")).isEqualTo(invocationId);
        assertThat(outcome.getString("external_agent_id")).isEqualTo(agentId);
        assertThat(outcome.getString("status")).isEqualTo("success");
        assertThat(outcome.getString("output.result")).isEqualTo("ok");
        assertThat(outcome.getString("output.received.input")).isEqualTo("call me back");

        assertEvent(invocationId, "kaizen.invocation.completed.v1", "success", null);
        ConsumerRecord<String, String> settled = TopicReader.await(suite.stack.kafkaBootstrap(), INVOCATIONS,
                r -> invocationId.equals(r.key()) && DELIVERY_SETTLED.equals(TopicReader.header(r, "ce_type")), 1,
                PATIENCE).get(0);
        assertThat(JsonPath.from(settled.value()).getString("status")).isEqualTo("delivered");
        awaitLineage(token, invocationId, agentId, "success", null, "ALLOW");
    }

    private String register(String token, String name, String governance) {
        return suite.as(token).body("""
                {"name": "%s", "platform": "custom_http", "endpoint_url": "%s/agents/%s", %s}
                """.formatted(name, suite.stack.sinkUrl(), name.replace(' ', '-'), governance))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");
    }

    private Response invoke(String token, String agentId, String body) {
        return invoke(token, agentId, "sync", body, null);
    }

    private Response invoke(String token, String agentId, String mode, String body) {
        return invoke(token, agentId, mode, body, null);
    }

    private Response invoke(String token, String agentId, String mode, String body, String idempotencyKey) {
        var request = suite.invoking(token).queryParam("mode", mode).body(body);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.when().post("/api/v1/external-agents/" + agentId + "/invoke");
    }

    /** The invocation id of an answer, the same in its body and in its {@code X-Kaizen-Invocation-ID} header. */
    private static String invocationIdOf(Response answer) {
        String invocationId = answer.path("invocation_id");
        assertThat(invocationId).matches("inv_[0-9A-Z]{26}");
        assertThat(answer.header("X-Kaizen-Invocation-ID")).isEqualTo(invocationId);
        return invocationId;
    }

    /** The calls the sink received for the agent of this name (each agent has a path of its own). */
    private List<SinkRequest> callsTo(String agentName) {
        String path = "/agents/" + agentName.replace(' ', '-');
        return suite.stack.sink().requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    /**
     * The one outcome event of the invocation: its CloudEvent type, and the status its data carries (the end of a
     * callback's delivery is an event of its own, after it).
     */
    private void assertEvent(String invocationId, String type, String status, String errorCode) {
        List<ConsumerRecord<String, String>> events = TopicReader.await(suite.stack.kafkaBootstrap(), INVOCATIONS,
                r -> invocationId.equals(r.key())
                        && !DELIVERY_SETTLED.equals(TopicReader.header(r, "ce_type")), 1, PATIENCE);
        ConsumerRecord<String, String> event = events.get(0);
        assertThat(TopicReader.header(event, "ce_type")).isEqualTo(type);
        assertThat(TopicReader.header(event, "ce_subject")).isEqualTo(invocationId);
        assertThat(TopicReader.header(event, "ce_id")).startsWith("evt_");
        JsonPath data = JsonPath.from(event.value());
        assertThat(data.getString("invocation_id")).isEqualTo(invocationId);
        assertThat(data.getString("status")).isEqualTo(status);
        assertThat(data.getString("result.error_code")).isEqualTo(errorCode);
        assertThat(events).extracting(r -> TopicReader.header(r, "ce_id")).containsOnly(TopicReader.header(event, "ce_id"));
    }

    /** The invocation's lineage row, once lineage has built it from the event. */
    private void awaitLineage(String token, String invocationId, String agentId, String status, String errorCode,
            String decision) {
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("invocation_id", equalTo(invocationId))
                .body("external_agent_id", equalTo(agentId))
                .body("external_user_id", equalTo("ext-user-7"))
                .body("status", equalTo(status))
                .body("error_code", equalTo(errorCode))
                .body("decision", equalTo(decision))
                .body("decision_id", matchesPattern("dec_[0-9A-Z]{26}")));
    }
}
