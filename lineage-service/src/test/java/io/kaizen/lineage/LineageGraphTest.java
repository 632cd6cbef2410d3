package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.in;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** {@code GET /api/v1/lineage/graph}: the five layers' parties of one agent or workflow, and the calls between them. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageGraphTest {

    private static final Instant MAY = Instant.parse("2026-05-10T10:00:00Z");
    private static final Instant JANUARY = Instant.parse("2026-01-10T10:00:00Z");

    @Inject
    InvocationEvents events;

    String org;
    String neighbour;
    String agent;
    String otherAgent;
    String workflow;

    @BeforeEach
    void invocations() {
        org = "org_" + UUID.randomUUID();
        neighbour = "org_" + UUID.randomUUID();
        agent = PrefixedId.next(PrefixedId.AGENT);
        otherAgent = PrefixedId.next(PrefixedId.AGENT);
        workflow = "wf-run-" + UUID.randomUUID();
        // jane from Copilot with an API key: two successes (one within the workflow run) and one blocked by budget
        send(org, agent, "jane", "copilot", "api_key", "key_1", "success", "0.05", MAY, workflow);
        send(org, agent, "jane", "copilot", "api_key", "key_1", "success", "0.05", MAY.plusSeconds(60), null);
        send(org, agent, "jane", "copilot", "api_key", "key_1", "blocked", null, MAY.plusSeconds(120), null);
        // bob from Zapier with a JWT: one failure inside the workflow run, one success in January
        send(org, agent, "bob", "zapier", "jwt", "svc-zap", "failure", "0.02", MAY.plusSeconds(180), workflow);
        send(org, agent, "bob", "zapier", "jwt", "svc-zap", "success", "0.01", JANUARY, null);
        // jane calls another agent too, and another organisation calls the same agent id
        send(org, otherAgent, "jane", "copilot", "api_key", "key_1", "success", "0.40", MAY, null);
        send(neighbour, agent, "mallory", "custom", "api_key", "key_9", "success", "9.00", MAY, workflow);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().auth().oauth2(token(org)).queryParam("limit", 100).when().get("/api/v1/lineage")
                    .then().statusCode(200).body("total", equalTo(6));
            given().auth().oauth2(token(neighbour)).when().get("/api/v1/lineage")
                    .then().statusCode(200).body("total", equalTo(1));
        });
    }

    @Test
    void anAgentsGraphLinksItsUsersSystemsAndCredentialsWithCountsCostAndTotals() {
        JsonPath graph = given().auth().oauth2(token(org)).queryParam("external_agent_id", agent)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(200)
                .body("nodes.id", containsInAnyOrder("user:jane", "system:copilot", "api_key:key_1", "user:bob",
                        "system:zapier", "jwt:svc-zap", "agent:" + agent))
                .body("nodes.find { it.id == 'agent:" + agent + "' }.type", equalTo("external_agent"))
                .body("nodes.find { it.id == 'agent:" + agent + "' }.label", equalTo("Sales bot"))
                .body("nodes.find { it.id == 'user:jane' }.metadata.external_user_email", equalTo("jane@acme.example"))
                .body("nodes.find { it.id == 'api_key:key_1' }.metadata.api_key_prefix", equalTo("sk_live_key_1"))
                .body("edges.id", containsInAnyOrder("user:jane->system:copilot", "system:copilot->api_key:key_1",
                        "api_key:key_1->agent:" + agent, "user:bob->system:zapier", "system:zapier->jwt:svc-zap",
                        "jwt:svc-zap->agent:" + agent))
                .body("totals.invocations", equalTo(5))
                .body("totals.success_count", equalTo(3))
                .body("totals.failure_count", equalTo(1))
                .body("totals.blocked_count", equalTo(1))
                .body("totals.cost_usd", equalTo(0.13f))
                .body("metadata.total_nodes", equalTo(7))
                .body("metadata.external_nodes", equalTo(5))
                .body("metadata.truncated", equalTo(false))
                .extract().jsonPath();
        String keyEdge = "edges.find { it.id == 'api_key:key_1->agent:" + agent + "' }";
        assertThat(graph.getInt(keyEdge + ".invocations")).isEqualTo(3);
        assertThat(graph.getInt(keyEdge + ".success_count")).isEqualTo(2);
        assertThat(graph.getInt(keyEdge + ".blocked_count")).isEqualTo(1);
        assertThat(graph.getFloat(keyEdge + ".cost_usd")).isEqualTo(0.10f);
        assertThat(graph.getString(keyEdge + ".label")).isEqualTo("invokes");
        assertThat(graph.getString(keyEdge + ".last_seen"))
                .isEqualTo(MAY.plusSeconds(120).toString());
        // every edge joins two nodes of the answer
        List<String> ids = graph.getList("nodes.id");
        assertThat(graph.<String>getList("edges.source")).isSubsetOf(ids);
        assertThat(graph.<String>getList("edges.target")).isSubsetOf(ids);
    }

    @Test
    void theTimeRangeBoundsTheGraphUnderEitherName() {
        for (String[] names : List.of(new String[] {"from", "to"}, new String[] {"start_date", "end_date"})) {
            given().auth().oauth2(token(org)).queryParam("external_agent_id", agent)
                    .queryParam(names[0], "2026-01-01T00:00:00Z").queryParam(names[1], "2026-02-01T00:00:00Z")
                    .when().get("/api/v1/lineage/graph")
                    .then().statusCode(200)
                    .body("nodes.id", containsInAnyOrder("user:bob", "system:zapier", "jwt:svc-zap", "agent:" + agent))
                    .body("totals.invocations", equalTo(1))
                    .body("totals.cost_usd", equalTo(0.01f));
        }
    }

    @Test
    void aWorkflowsGraphHoldsTheCallsOfItsRunOnly() {
        given().auth().oauth2(token(org)).queryParam("workflow_id", workflow)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(200)
                .body("nodes.id", containsInAnyOrder("user:jane", "system:copilot", "workflow:" + workflow,
                        "api_key:key_1", "user:bob", "system:zapier", "jwt:svc-zap", "agent:" + agent))
                .body("edges.find { it.id == 'system:copilot->workflow:" + workflow + "' }.label", equalTo("runs"))
                .body("edges.find { it.id == 'workflow:" + workflow + "->api_key:key_1' }.invocations", equalTo(1))
                .body("totals.invocations", equalTo(2))
                .body("totals.success_count", equalTo(1))
                .body("totals.failure_count", equalTo(1));
    }

    @Test
    void anotherOrganisationsAgentOrWorkflowIsAnEmptyGraph() {
        String stranger = "org_" + UUID.randomUUID();
        for (String[] by : List.of(new String[] {"external_agent_id", agent}, new String[] {"workflow_id", workflow})) {
            given().auth().oauth2(token(stranger)).queryParam(by[0], by[1])
                    .when().get("/api/v1/lineage/graph")
                    .then().statusCode(200)
                    .body("nodes", empty()).body("edges", empty())
                    .body("totals.invocations", equalTo(0)).body("totals.cost_usd", equalTo(0));
        }
        // the neighbour sees its own call of the same agent id, never the organisation's
        given().auth().oauth2(token(neighbour)).queryParam("external_agent_id", agent)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(200)
                .body("nodes.id", containsInAnyOrder("user:mallory", "system:custom", "api_key:key_9", "agent:" + agent))
                .body("totals.invocations", equalTo(1));
        given().auth().oauth2(token(org)).queryParam("external_agent_id", agent)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(200)
                .body("nodes.id", everyItem(in(List.of("user:jane", "system:copilot", "api_key:key_1", "user:bob",
                        "system:zapier", "jwt:svc-zap", "agent:" + agent))));
    }

    @Test
    void aGraphBeyondItsNodeLimitKeepsTheBusiestChainsAndSaysItIsTruncated() {
        given().auth().oauth2(token(org)).queryParam("external_agent_id", agent).queryParam("node_limit", 5)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(200)
                .body("nodes.id", containsInAnyOrder("user:jane", "system:copilot", "api_key:key_1", "agent:" + agent))
                .body("edges", hasSize(3))
                .body("metadata.truncated", equalTo(true))
                .body("metadata.node_limit", equalTo(5))
                .body("totals.invocations", equalTo(5));
    }

    @Test
    void aGraphNeedsExactlyOneOfAgentOrWorkflowAndWellFormedBounds() {
        bad(null, "Either workflow_id or external_agent_id");
        bad("external_agent_id=" + agent + "&workflow_id=" + workflow, "Either workflow_id or external_agent_id");
        bad("external_agent_id=" + agent + "&start_date=yesterday", "start_date");
        bad("external_agent_id=" + agent + "&from=2026-01-01T00:00:00Z&start_date=2026-01-01T00:00:00Z",
                "cannot be combined");
        bad("external_agent_id=" + agent + "&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                "before its end");
        bad("external_agent_id=" + agent + "&node_limit=2", "node_limit");
        given().auth().oauth2(DevStackTestResource.stack().keys().token(org, List.of("no_role"), "nobody", null,
                        Duration.ofMinutes(5)))
                .queryParam("external_agent_id", agent)
                .when().get("/api/v1/lineage/graph")
                .then().statusCode(403);
    }

    private void bad(String query, String detail) {
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/graph" + (query == null ? "" : "?" + query))
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString(detail));
    }

    private void send(String organization, String agentId, String user, String system, String method,
            String credential, String status, String cost, Instant at, String trace) {
        boolean apiKey = "api_key".equals(method);
        InvocationEvent event = new InvocationEvent(PrefixedId.next(PrefixedId.INVOCATION), organization, status,
                new InvocationEvent.ExternalUser(user, user + "@acme.example", null, null),
                new InvocationEvent.ExternalSystem(system, "sess-" + user, trace, null),
                new InvocationEvent.KaizenAuth(method, apiKey ? null : credential, apiKey ? credential : null,
                        apiKey ? "sk_live_" + credential : null, organization, null),
                new InvocationEvent.Agent(agentId, "Sales bot", "custom_http", "https://agents.example.com", null),
                new InvocationEvent.Trace(UUID.randomUUID().toString().replace("-", ""), "b7ad6b7169203331", trace),
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", at),
                null,
                new InvocationEvent.Result(at.plusMillis(80), 80L, cost == null ? null : new BigDecimal(cost),
                        "blocked".equals(status) ? 402 : 200, "blocked".equals(status) ? "BUDGET_EXCEEDED" : null,
                        null));
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), "blocked".equals(status) ? EventTypes.INVOCATION_BLOCKED
                : "failure".equals(status) ? EventTypes.INVOCATION_FAILED : EventTypes.INVOCATION_COMPLETED, event);
    }
}
