package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/** One lineage row per invocation, whatever its outcome and however its events arrive; the list and its filters. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageRowsTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final String AGENT = "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF";

    @Inject
    InvocationEvents events;

    @Inject
    ObjectMapper mapper;

    /** An outcome: the event type that ends the invocation, and what its row must then say. */
    private record Outcome(String name, String type, String status, Integer httpStatus, String errorCode,
            String approvalStatus) {
    }

    private static final List<Outcome> OUTCOMES = List.of(
            new Outcome("completed", EventTypes.INVOCATION_COMPLETED, "success", 200, null, null),
            new Outcome("failed", EventTypes.INVOCATION_FAILED, "failure", 502, "UPSTREAM_ERROR", null),
            new Outcome("over budget", EventTypes.INVOCATION_BLOCKED, "blocked", 402, "BUDGET_EXCEEDED", null),
            new Outcome("denied by policy", EventTypes.INVOCATION_BLOCKED, "blocked", 403, "POLICY_DENIED", null),
            new Outcome("rate limited", EventTypes.INVOCATION_BLOCKED, "blocked", 429, "RATE_LIMIT_EXCEEDED", null),
            new Outcome("held", EventTypes.INVOCATION_HELD, "held", null, null, "pending"),
            new Outcome("rejected", "kaizen.invocation.rejected.v1", "rejected", 403, "APPROVAL_REJECTED", "rejected"),
            new Outcome("expired", "kaizen.invocation.expired.v1", "expired", 408, "APPROVAL_EXPIRED", "expired"));

    @Test
    void everyOutcomeYieldsExactlyOneRowWithItsStatusGovernanceAndResult() {
        String org = "org_" + UUID.randomUUID();
        Map<String, Outcome> byInvocation = new LinkedHashMap<>();
        for (Outcome outcome : OUTCOMES) {
            String id = PrefixedId.next(PrefixedId.INVOCATION);
            byInvocation.put(id, outcome);
            events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, accepted(id, org));
            if (outcome.approvalStatus() != null && !outcome.status().equals("held")) {
                events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_HELD,
                        ended(id, org, new Outcome("held", EventTypes.INVOCATION_HELD, "held", null, null, "pending")));
            }
            events.sendAs(PrefixedId.next(PrefixedId.EVENT), outcome.type(), ended(id, org, outcome));
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath page = list(org, Map.of());
            assertThat(page.getInt("total")).isEqualTo(OUTCOMES.size());
            assertThat(page.getList("items.status")).containsExactlyInAnyOrderElementsOf(
                    OUTCOMES.stream().map(Outcome::status).toList());
        });
        byInvocation.forEach((id, outcome) -> {
            JsonPath row = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(row.getString("status")).as(outcome.name()).isEqualTo(outcome.status());
            assertThat(row.getString("external_user_email")).as(outcome.name()).isEqualTo("jane@acme.example");
            assertThat(row.getString("api_key_prefix")).as(outcome.name()).isEqualTo("sk_live_a1b2c3d4");
            assertThat(row.getString("decision_id")).as(outcome.name()).isEqualTo("dec_" + id);
            assertThat(row.getString("matched_policy_id")).as(outcome.name()).isEqualTo("pol_1");
            assertThat(row.getFloat("budget_remaining_before")).as(outcome.name()).isEqualTo(10.0f);
            assertThat(row.getLong("rate_limit_remaining")).as(outcome.name()).isEqualTo(41L);
            assertThat(row.getString("request_timestamp")).as(outcome.name()).isEqualTo(T0.toString());
            assertThat(row.get("response_status_code") == null ? null : row.getInt("response_status_code"))
                    .as(outcome.name()).isEqualTo(outcome.httpStatus());
            assertThat(row.getString("error_code")).as(outcome.name()).isEqualTo(outcome.errorCode());
            assertThat(row.getString("approval_status")).as(outcome.name())
                    .isEqualTo(outcome.status().equals("success") ? "approved" : outcome.approvalStatus());
            if (outcome.approvalStatus() != null) {
                assertThat(row.getString("approval_id")).as(outcome.name()).isEqualTo("apr_" + id);
            }
            if (outcome.status().equals("success")) {
                assertThat(row.getFloat("cost_usd")).isEqualTo(0.05f);
                assertThat(row.getFloat("budget_remaining_after")).isEqualTo(9.95f);
                assertThat(row.getLong("duration_ms")).isEqualTo(120L);
                assertThat(row.getString("delivery_status")).isEqualTo("delivered");
            }
        });
    }

    @Test
    void everyOutcomeArrivingBeforeTheEventsThatPrecededItAndRedeliveredYieldsExactlyOneRowWithItsStatus() {
        String org = "org_" + UUID.randomUUID();
        Outcome hold = new Outcome("held", EventTypes.INVOCATION_HELD, "held", null, null, "pending");
        Map<String, Outcome> byInvocation = new LinkedHashMap<>();
        for (Outcome outcome : OUTCOMES) {
            String id = PrefixedId.next(PrefixedId.INVOCATION);
            byInvocation.put(id, outcome);
            String ended = PrefixedId.next(PrefixedId.EVENT);
            String acceptedEvent = PrefixedId.next(PrefixedId.EVENT);
            // newest first: the outcome, then the hold and the acceptance that came before it, then both redelivered
            events.sendAs(ended, outcome.type(), ended(id, org, outcome));
            if (outcome.approvalStatus() != null && !outcome.status().equals("held")) {
                events.sendAs(PrefixedId.next(PrefixedId.EVENT), hold.type(), ended(id, org, hold));
            }
            events.sendAs(acceptedEvent, EventTypes.INVOCATION_ACCEPTED, accepted(id, org));
            events.sendAs(ended, outcome.type(), ended(id, org, outcome));
            events.sendAs(acceptedEvent, EventTypes.INVOCATION_ACCEPTED, accepted(id, org));
        }
        String marker = PrefixedId.next(PrefixedId.INVOCATION);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, accepted(marker, org));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + marker).then().statusCode(200));
        JsonPath page = list(org, Map.of());
        assertThat(page.getInt("total")).isEqualTo(OUTCOMES.size() + 1);
        assertThat(page.getList("items.invocation_id")).doesNotHaveDuplicates();
        byInvocation.forEach((id, outcome) -> {
            JsonPath row = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(row.getString("status")).as(outcome.name()).isEqualTo(outcome.status());
            assertThat(row.getString("error_code")).as(outcome.name()).isEqualTo(outcome.errorCode());
            assertThat(row.getString("approval_status")).as(outcome.name())
                    .isEqualTo(outcome.status().equals("success") ? "approved" : outcome.approvalStatus());
            // what only the late acceptance knew fills in, beside the outcome's own fields
            assertThat(row.getString("external_user_role")).as(outcome.name()).isEqualTo("Sales Manager");
            assertThat(row.getString("user_agent")).as(outcome.name()).isEqualTo("curl/8");
            assertThat(row.getString("external_agent_version")).as(outcome.name()).isEqualTo("2.1.0");
        });
        assertThat(list(org, Map.of("status", "pending")).getInt("total")).isEqualTo(1);
    }

    @Test
    void redeliveredAndOutOfOrderEventsMakeOneRowThatKeepsTheLatestStatusAndMergesEveryField() {
        String org = "org_" + UUID.randomUUID();
        String id = PrefixedId.next(PrefixedId.INVOCATION);
        String completed = PrefixedId.next(PrefixedId.EVENT);
        Outcome success = OUTCOMES.get(0);
        Outcome held = OUTCOMES.get(5);
        // the outcome first, then the hold and the acceptance that came before it, then the outcome once more
        events.sendAs(completed, success.type(), ended(id, org, success));
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), held.type(), ended(id, org, held));
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, accepted(id, org));
        events.sendAs(completed, success.type(), ended(id, org, success));
        // a copy of the hold under another event id: not a redelivery, and still earlier than the outcome
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), held.type(), ended(id, org, held));
        String marker = PrefixedId.next(PrefixedId.INVOCATION);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, accepted(marker, org));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + marker).then().statusCode(200));
        assertThat(list(org, Map.of("external_agent_id", AGENT)).getInt("total")).isEqualTo(2);
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id)
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .body("response_status_code", equalTo(200))
                .body("cost_usd", equalTo(0.05f))
                .body("approval_id", equalTo("apr_" + id))
                // the completed event carried the approval as approved; the late hold's pending never replaces it
                .body("approval_status", equalTo("approved"))
                .body("user_agent", equalTo("curl/8"))
                .body("request_headers", containsString("\"x-external-system\":\"copilot\""))
                .body("external_user_role", equalTo("Sales Manager"));
    }

    @Test
    void textBeyondLatin1IsStoredAsSentAndAnUnpairedSurrogateAsAQuestionMark() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String id = PrefixedId.next(PrefixedId.INVOCATION);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        InvocationEvent base = ended(id, org, OUTCOMES.get(0));
        InvocationEvent event = new InvocationEvent(id, org, base.status(),
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", "Zoë 山田 😀", "ROLE"),
                base.externalSystem(), base.kaizenAuth(), base.agent(), base.trace(), base.request(),
                base.governance(), base.result());
        // the escape reaches the service as it is: a JSON text may hold half of a surrogate pair
        String data = mapper.writeValueAsString(event).replace("\"ROLE\"", "\"x\\ud800y\"");
        events.sendTogether(List.of(InvocationEvents.record(eventId, id, org, data)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + id).then().statusCode(200)
                .body("external_user_name", equalTo("Zoë 山田 😀"))
                .body("external_user_role", equalTo("x?y")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/audit").then().statusCode(200).body("items[0].event_id", equalTo(eventId)));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify").then().statusCode(200)
                .body("valid", equalTo(true));
        assertThat(InvocationEvents.deadLetters(eventId)).isEmpty();
    }

    @Test
    void requestHeadersAreKeptWithoutAnyCredential() {
        String org = "org_" + UUID.randomUUID();
        String id = PrefixedId.next(PrefixedId.INVOCATION);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer eyJ-secret-jwt");
        headers.put("X-API-Key", "sk_live_secretkey1");
        headers.put("Cookie", "session=secret-cookie");
        headers.put("X-Upstream-Token", "secret-upstream-token");
        headers.put("X-Webhook-Signature", "secret-signature");
        headers.put("User-Agent", "curl/8");
        headers.put("X-External-User-ID", "ext-42");
        InvocationEvent base = accepted(id, org);
        InvocationEvent event = new InvocationEvent(id, org, "pending", base.externalUser(), base.externalSystem(),
                base.kaizenAuth(), base.agent(), base.trace(),
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", T0, headers), base.governance(), null);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, event);

        String body = await().atMost(Duration.ofSeconds(60)).until(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + id).then().extract(), r -> r.statusCode() == 200).asString();
        assertThat(JsonPath.from(body).getString("request_headers"))
                .isEqualTo("{\"user-agent\":\"curl/8\",\"x-external-user-id\":\"ext-42\"}");
        assertThat(body).doesNotContain("secret").doesNotContain("eyJ");
    }

    @Test
    void theListFiltersByEveryFieldAndTimeAndPagesByKeysetWithinTheCallersOrganisation() {
        String org = "org_" + UUID.randomUUID();
        String other = "org_" + UUID.randomUUID();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = PrefixedId.next(PrefixedId.INVOCATION);
            ids.add(id);
            events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                    at(ended(id, org, OUTCOMES.get(i % 2)), T0.plusSeconds(i)));
        }
        String foreign = PrefixedId.next(PrefixedId.INVOCATION);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                ended(foreign, other, OUTCOMES.get(0)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(list(org, Map.of()).getInt("total")).isEqualTo(5);
            assertThat(list(other, Map.of()).getInt("total")).isEqualTo(1);
        });

        // newest first, two at a time, each page after the previous one's cursor
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> params = new LinkedHashMap<>(Map.of("limit", "2"));
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonPath page = list(org, params);
            seen.addAll(page.getList("items.invocation_id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(seen).containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
        assertThat(list(org, Map.of("limit", "2", "page", "3")).getList("items.invocation_id"))
                .containsExactly(ids.get(0));

        assertThat(list(org, Map.of("status", "failure")).getList("items.invocation_id"))
                .containsExactly(ids.get(3), ids.get(1));
        assertThat(list(org, Map.of("from", T0.plusSeconds(1).toString(), "to", T0.plusSeconds(3).toString()))
                .getList("items.invocation_id")).containsExactly(ids.get(2), ids.get(1));
        assertThat(list(org, Map.of("external_user_email", "JANE@acme.example", "external_user_id", "ext-42",
                "external_system", "copilot", "external_agent_id", AGENT)).getInt("total")).isEqualTo(5);
        assertThat(list(org, Map.of("external_system", "zapier")).getInt("total")).isZero();
        assertThat(list(other, Map.of()).getList("items.invocation_id")).containsExactly(foreign);
        given().auth().oauth2(token(other)).when().get("/api/v1/lineage/" + ids.get(0))
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void malformedFiltersAreProblemsNamingTheParameter() {
        String token = token("org_" + UUID.randomUUID());
        Map<String, String> bad = Map.of("from", "yesterday", "to", "2026-13-01", "limit", "1001", "page", "0",
                "cursor", "not-a-cursor");
        bad.forEach((name, value) -> given().auth().oauth2(token).queryParam(name, value)
                .when().get("/api/v1/lineage")
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", containsString("'" + name + "'")));
        given().auth().oauth2(token).queryParam("from", T0.toString()).queryParam("to", T0.toString())
                .when().get("/api/v1/lineage")
                .then().statusCode(400).body("detail", containsString("'from'"));
        given().auth().oauth2(token).queryParam("format", "xml").when().get("/api/v1/lineage/export")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("'format'"));
        given().auth().oauth2(token).when().get("/api/v1/lineage/users/not-an-address")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("'email'"));
        given().auth().oauth2(token).when().get("/api/v1/lineage/export")
                .then().statusCode(200).body("$", empty());
    }

    @Test
    void eachEndpointAsksForItsPermission() {
        String org = "org_" + UUID.randomUUID();
        String viewer = InvocationEvents.token(org, "viewer");
        String auditor = InvocationEvents.token(org, "auditor");
        given().auth().oauth2(viewer).when().get("/api/v1/lineage").then().statusCode(403);
        given().auth().oauth2(viewer).when().get("/api/v1/lineage/export").then().statusCode(403);
        given().auth().oauth2(viewer).when().get("/api/v1/lineage/users/jane@acme.example").then().statusCode(403);
        given().auth().oauth2(auditor).when().delete("/api/v1/lineage/users/jane@acme.example")
                .then().statusCode(403).contentType("application/problem+json");
        given().when().get("/api/v1/lineage").then().statusCode(401);
        given().auth().oauth2(auditor).when().get("/api/v1/lineage").then().statusCode(200)
                .body("total", equalTo(0)).body("next_cursor", nullValue());
    }

    private static JsonPath list(String org, Map<String, String> params) {
        return given().auth().oauth2(token(org)).queryParams(params).when().get("/api/v1/lineage")
                .then().statusCode(200).extract().jsonPath();
    }

    private static InvocationEvent accepted(String id, String org) {
        return new InvocationEvent(id, org, null,
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", "Jane", "Sales Manager"),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", "parent-trace", "{\"tenant\":\"acme\"}"),
                new InvocationEvent.KaizenAuth("api_key", "key_1", "key_1", "sk_live_a1b2c3d4", org, "team-9"),
                new InvocationEvent.Agent(AGENT, "Sales bot", "custom_http", "https://agents.example.com", "2.1.0"),
                new InvocationEvent.Trace("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "parent-trace"),
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", T0,
                        Map.of("User-Agent", "curl/8", "X-External-System", "copilot")),
                new InvocationEvent.Governance("ALLOW", "dec_" + id, null, "rsv_1", null, null, "pol_1",
                        new BigDecimal("10.00"), null, 41L),
                null);
    }

    /** The event that ends (or holds) an invocation, carrying only what its emitter knows then. */
    private static InvocationEvent ended(String id, String org, Outcome outcome) {
        boolean success = "success".equals(outcome.status());
        String approval = outcome.approvalStatus() == null && success ? null : outcome.approvalStatus();
        InvocationEvent.Governance governance = new InvocationEvent.Governance(
                outcome.errorCode() == null ? "ALLOW" : "DENY", "dec_" + id, outcome.errorCode(), null,
                approval == null && !success ? null : "apr_" + id, success ? "approved" : approval, "pol_1",
                new BigDecimal("10.00"), success ? new BigDecimal("9.95") : null, 41L);
        InvocationEvent.Result result = outcome.status().equals("held") ? null
                : new InvocationEvent.Result(T0.plusMillis(120), success ? 120L : 5L,
                        success ? new BigDecimal("0.05") : BigDecimal.ZERO, outcome.httpStatus(), outcome.errorCode(),
                        outcome.errorCode() == null ? null : outcome.name(), null, null, null,
                        success ? "delivered" : null);
        return new InvocationEvent(id, org, outcome.status(),
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", null, null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", null, null),
                new InvocationEvent.KaizenAuth("api_key", "key_1", "key_1", "sk_live_a1b2c3d4", org, null),
                new InvocationEvent.Agent(AGENT, "Sales bot", "custom_http", "https://agents.example.com", null),
                null, new InvocationEvent.RequestContext(null, null, T0), governance, result);
    }

    private static InvocationEvent at(InvocationEvent e, Instant requestedAt) {
        return new InvocationEvent(e.invocationId(), e.organizationId(), e.status(), e.externalUser(),
                e.externalSystem(), e.kaizenAuth(), e.agent(), e.trace(),
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", requestedAt), e.governance(), e.result());
    }
}
