package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink.SinkRequest;
import io.restassured.response.Response;

/** One invocation through all five services, over the router only. */
class WalkingSkeletonIT {

    private final Suite suite = Suite.get();

    @Test
    void anInvocationFlowsFromRegistrationToLineage() {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(token, "Sales Analytics Bot");
        suite.stack.sink().reset();

        Response invoked = suite.invoking(token)
                .body("{\"input\": \"What were Q3 sales?\", \"context\": {\"region\": \"emea\"}}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200)
                .body("invocation_id", matchesPattern("inv_[0-9A-Z]{26}"))
                .body("trace_id", matchesPattern("[0-9a-f]{32}"))
                .body("status", equalTo("success"))
                .body("output.result", equalTo("ok"))
                .body("output.received.input", equalTo("What were Q3 sales?"))
                .body("metadata.cost_usd", equalTo(0.05f))
                .body("metadata.duration_ms", greaterThanOrEqualTo(0))
                .header("X-RateLimit-Limit", "10")
                .header("X-RateLimit-Remaining", "9")
                .header("X-RateLimit-Reset", notNullValue())
                .header("X-Kaizen-Cost-USD", "0.05")
                .extract().response();
        String invocationId = invoked.path("invocation_id");
        String traceId = invoked.path("trace_id");
        assertThat(invoked.header("X-Kaizen-Invocation-ID")).isEqualTo(invocationId);
        assertThat(invoked.header("X-Kaizen-Trace-ID")).isEqualTo(traceId);
        assertThat(Instant.parse(invoked.header("X-RateLimit-Reset"))).isAfter(Instant.now());

        List<SinkRequest> received = suite.stack.sink().awaitRequests(1, Duration.ofSeconds(5));
        SinkRequest call = received.get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/agents/Sales-Analytics-Bot");
        assertThat(call.header("X-Kaizen-Invocation-ID")).isEqualTo(invocationId);
        assertThat(call.header("traceparent")).startsWith("00-" + traceId + "-");
        assertThat(call.header("X-Kaizen-Organization-ID")).isEqualTo(org);
        assertThat(call.body()).contains("\"invocation_id\":\"" + invocationId + "\"")
                .contains("\"input\":\"What were Q3 sales?\"").contains("\"region\":\"emea\"");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("invocation_id", equalTo(invocationId))
                .body("organization_id", equalTo(org))
                .body("status", equalTo("success"))
                .body("external_user_id", equalTo("ext-user-7"))
                .body("external_user_email", equalTo("jane.smith@company.example"))
                .body("external_user_name", equalTo("Jane Smith"))
                .body("external_system", equalTo("copilot"))
                .body("external_session_id", equalTo("copilot-session-1"))
                .body("auth_method", equalTo("jwt"))
                .body("auth_subject", equalTo("user-" + org))
                .body("external_agent_id", equalTo(agentId))
                .body("external_agent_name", equalTo("Sales Analytics Bot"))
                .body("external_agent_platform", equalTo("custom_http"))
                .body("trace_id", equalTo(traceId))
                .body("span_id", matchesPattern("[0-9a-f]{16}"))
                .body("parent_trace_id", equalTo("parent-trace-1"))
                .body("ip_address", notNullValue())
                .body("decision", equalTo("ALLOW"))
                .body("decision_id", matchesPattern("dec_[0-9A-Z]{26}"))
                .body("cost_usd", equalTo(0.05f))
                .body("response_status_code", equalTo(200)));

        // another organisation cannot see it
        suite.as(suite.token(Suite.newOrg(), "org_owner"))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(404);

        // the export in each format, as its document describes it (the contract filter checks each answer)
        suite.as(token).queryParam("format", "json").when().get("/api/v1/lineage/export")
                .then().statusCode(200).contentType("application/json")
                .body("[0].invocation_id", equalTo(invocationId));
        assertThat(suite.as(token).queryParam("format", "ndjson").when().get("/api/v1/lineage/export")
                .then().statusCode(200).contentType("application/x-ndjson").extract().asString())
                .contains("\"invocation_id\":\"" + invocationId + "\"");
        assertThat(suite.as(token).queryParam("format", "csv").when().get("/api/v1/lineage/export")
                .then().statusCode(200).contentType("text/csv").extract().asString())
                .startsWith("id,invocation_id,").contains(invocationId);
    }

    @Test
    void anUnreachableAgentIsA502AndStillLeavesLineage() {
        String org = Suite.newOrg();
        String token = suite.token(org, "developer");
        String agentId = suite.registerAgent(token, "Flaky Bot");
        suite.stack.sink().respond(500, 0, "{\"error\": \"boom\"}", 1);

        String invocationId = suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("upstream_status", equalTo(500))
                .extract().path("invocation_id");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("status", equalTo("failure"))
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("cost_usd", equalTo(0.0f)));
    }
}
