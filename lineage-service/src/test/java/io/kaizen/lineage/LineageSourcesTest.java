package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.DeliveryEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The lineage row completed from every source: governance decisions, the approval request's steps and the settling of
 * the answer's delivery, beside the invocation's own events — each outcome one correct row, whatever order the
 * events of the three topics come in and however often they are redelivered; deciders erased with their person.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageSourcesTest {

    private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    private static final String AGENT = "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF";
    private static final String ALICE = "alice@acme.example";

    @Inject
    InvocationEvents events;

    /** One event as the relay would publish it. */
    private record Sent(String topic, String id, String type, String key, Object data, Instant time) {
    }

    /** An outcome, the events that lead to it, and what its row must then say. */
    private record Case(String name, String finalType, String status, Integer http, String errorCode,
            String approval, List<String> deciders, String decisionType, boolean reserved, BigDecimal remaining,
            Long rateRemaining, String delivery, BigDecimal before, BigDecimal after) {
    }

    private static final BigDecimal TEN = new BigDecimal("10.00");
    private static final BigDecimal ESTIMATE = new BigDecimal("0.05");

    private static final List<Case> CASES = List.of(
            new Case("approved and completed", EventTypes.INVOCATION_COMPLETED, "success", 200, null, "approved",
                    List.of(ALICE, "bob-7"), EventTypes.DECISION_EVALUATED, true, new BigDecimal("9.95"), 41L,
                    "delivered", TEN, new BigDecimal("9.95")),
            new Case("failed", EventTypes.INVOCATION_FAILED, "failure", 502, "UPSTREAM_ERROR", null, List.of(),
                    EventTypes.DECISION_EVALUATED, true, new BigDecimal("9.95"), 40L, "exhausted", TEN,
                    new BigDecimal("9.95")),
            new Case("over budget", EventTypes.INVOCATION_BLOCKED, "blocked", 402, "BUDGET_EXCEEDED", null, List.of(),
                    EventTypes.DECISION_DENIED, false, new BigDecimal("0.01"), null, null, new BigDecimal("0.01"),
                    new BigDecimal("0.01")),
            new Case("denied by policy", EventTypes.INVOCATION_BLOCKED, "blocked", 403, "POLICY_DENIED", null,
                    List.of(), EventTypes.DECISION_DENIED, false, null, null, null, null, null),
            new Case("rate limited", EventTypes.INVOCATION_BLOCKED, "blocked", 429, "RATE_LIMIT_EXCEEDED", null,
                    List.of(), EventTypes.DECISION_DENIED, false, null, 0L, null, null, null),
            new Case("held", EventTypes.INVOCATION_HELD, "held", null, null, "pending", List.of(ALICE),
                    EventTypes.DECISION_EVALUATED, false, TEN, 39L, null, TEN, TEN),
            new Case("rejected", EventTypes.INVOCATION_REJECTED, "rejected", 403, "APPROVAL_REJECTED", "rejected",
                    List.of("carol-3"), EventTypes.DECISION_EVALUATED, false, TEN, 38L, null, TEN, TEN),
            new Case("expired", EventTypes.INVOCATION_EXPIRED, "expired", 408, "APPROVAL_EXPIRED", "expired",
                    List.of(), EventTypes.DECISION_EVALUATED, false, TEN, 37L, null, TEN, TEN));

    @Test
    void everyOutcomeIsOneRowCompletedFromGovernanceApprovalsAndDeliveriesInAnyOrderAndRedelivered() {
        String org = "org_" + UUID.randomUUID();
        Map<String, Case> byInvocation = new LinkedHashMap<>();
        for (Case c : CASES) {
            String id = PrefixedId.next(PrefixedId.INVOCATION);
            byInvocation.put(id, c);
            List<Sent> story = story(id, org, c);
            // newest first, then everything again in the order it happened (same event ids: redeliveries)
            for (int i = story.size() - 1; i >= 0; i--) {
                send(org, story.get(i));
            }
            story.forEach(sent -> send(org, sent));
        }

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> byInvocation.forEach((id, c) -> {
            JsonPath row = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id)
                    .then().statusCode(200).extract().jsonPath();
            assertRow(row, c);
        }));
        JsonPath page = given().auth().oauth2(token(org)).queryParam("limit", "100").when().get("/api/v1/lineage")
                .then().statusCode(200).extract().jsonPath();
        assertThat(page.getInt("total")).isEqualTo(CASES.size());
        assertThat(page.getList("items.invocation_id")).containsExactlyInAnyOrderElementsOf(byInvocation.keySet());
    }

    @Test
    void erasingADeciderRedactsThemInEveryRowAndKeepsThemOutWhileTheAuditChainStillVerifies() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String first = PrefixedId.next(PrefixedId.INVOCATION);
        String second = PrefixedId.next(PrefixedId.INVOCATION);
        String approvalId = "apr_" + UUID.randomUUID();
        for (String id : List.of(first, second)) {
            send(org, new Sent(Topics.INVOCATIONS, PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_HELD, id,
                    invocation(id, org, "held", "pending", approvalId, null, null, null), T0));
        }
        ApprovalEvent approved = approval(approvalId, org, List.of(first, second), "approved", "approve", "bob-7",
                List.of(ALICE, "bob-7"), List.of());
        send(org, new Sent(Topics.APPROVALS, PrefixedId.next(PrefixedId.EVENT), EventTypes.APPROVAL_APPROVED,
                approvalId, approved, T0.plusSeconds(60)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String id : List.of(first, second)) {
                given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id).then().statusCode(200)
                        .body("approval_deciders", equalTo("[\"" + ALICE + "\",\"bob-7\"]"))
                        .body("approval_status", equalTo("approved"));
            }
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().body("total", equalTo(3));
        });
        assertThat(mentions("lineage_record", org, ALICE)).isEqualTo(2);

        given().auth().oauth2(owner(org)).when().delete("/api/v1/lineage/users/" + ALICE.toUpperCase())
                .then().statusCode(204);

        for (String id : List.of(first, second)) {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id).then().statusCode(200)
                    .body("approval_deciders", equalTo("[\"[REDACTED]\",\"bob-7\"]"))
                    // the person erased decided these calls; the calls' own person is someone else, kept
                    .body("external_user_email", equalTo("jane@acme.example"));
        }
        assertThat(mentions("lineage_record", org, ALICE)).isZero();
        assertThat(mentions("audit_personal_data", org, ALICE)).isZero();
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(4));

        // the approval replayed after the erasure (a new event id, the same step) brings the decider back nowhere
        send(org, new Sent(Topics.APPROVALS, PrefixedId.next(PrefixedId.EVENT), EventTypes.APPROVAL_APPROVED,
                approvalId, approved, T0.plusSeconds(60)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/audit").then().body("total", equalTo(5)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(
                () -> assertThat(updatedAfterErasure(org)).isEqualTo(2));
        assertThat(mentions("lineage_record", org, ALICE)).isZero();
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + first).then().statusCode(200)
                .body("approval_deciders", equalTo("[\"[REDACTED]\",\"bob-7\"]"));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(5));
    }

    private static void assertRow(JsonPath row, Case c) {
        String name = c.name();
        assertThat(row.getString("status")).as(name).isEqualTo(c.status());
        assertThat(row.get("response_status_code") == null ? null : row.getInt("response_status_code")).as(name)
                .isEqualTo(c.http());
        assertThat(row.getString("error_code")).as(name).isEqualTo(c.errorCode());
        assertThat(row.getString("decision_id")).as(name).startsWith("dec_");
        assertThat(row.getString("approval_status")).as(name).isEqualTo(c.approval());
        if (c.approval() != null) {
            assertThat(row.getString("approval_id")).as(name).startsWith("apr_");
        } else {
            assertThat(row.getString("approval_id")).as(name).isNull();
        }
        assertThat(row.getString("approval_deciders")).as(name).isEqualTo(c.deciders().isEmpty() ? null
                : "[" + String.join(",", c.deciders().stream().sorted().map(d -> "\"" + d + "\"").toList()) + "]");
        assertThat(decimal(row, "budget_remaining_before")).as(name).isEqualTo(c.before());
        assertThat(decimal(row, "budget_remaining_after")).as(name).isEqualTo(c.after());
        assertThat(row.get("rate_limit_remaining") == null ? null : row.getLong("rate_limit_remaining")).as(name)
                .isEqualTo(c.rateRemaining());
        assertThat(row.getString("delivery_status")).as(name).isEqualTo(c.delivery());
        // what only the acceptance told: the request context, as the gateway sent it
        assertThat(row.getString("ip_address")).as(name).isEqualTo("203.0.113.7");
        assertThat(row.getString("user_agent")).as(name).isEqualTo("curl/8");
        assertThat(row.getString("request_headers")).as(name).isEqualTo("{\"user-agent\":\"curl/8\"}");
        assertThat(row.getString("request_timestamp")).as(name).isEqualTo(T0.toString());
    }

    private static BigDecimal decimal(JsonPath row, String field) {
        Object value = row.get(field);
        return value == null ? null : new BigDecimal(value.toString()).setScale(2, java.math.RoundingMode.UNNECESSARY);
    }

    /** The events of one invocation in the order they happen. */
    private static List<Sent> story(String id, String org, Case c) {
        List<Sent> story = new ArrayList<>();
        String approvalId = c.approval() == null ? null : "apr_" + id;
        story.add(new Sent(Topics.INVOCATIONS, PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED, id,
                accepted(id, org), T0));
        story.add(new Sent(Topics.GOVERNANCE, PrefixedId.next(PrefixedId.EVENT), c.decisionType(), AGENT,
                decision(id, org, c), T0));
        if (approvalId != null) {
            story.add(new Sent(Topics.INVOCATIONS, PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_HELD, id,
                    invocation(id, org, "held", "pending", approvalId, null, null, null), T0.plusSeconds(1)));
            story.add(new Sent(Topics.APPROVALS, PrefixedId.next(PrefixedId.EVENT), EventTypes.APPROVAL_REQUESTED,
                    approvalId, approval(approvalId, org, List.of(id), "pending", null, null, List.of(), List.of()),
                    T0.plusSeconds(1)));
            List<String> approvers = new ArrayList<>();
            for (String decider : c.deciders()) {
                boolean rejects = c.approval().equals("rejected");
                if (!rejects) {
                    approvers.add(decider);
                }
                story.add(new Sent(Topics.APPROVALS, PrefixedId.next(PrefixedId.EVENT),
                        EventTypes.APPROVAL_DECISION_RECORDED, approvalId,
                        approval(approvalId, org, List.of(id), "pending", rejects ? "reject" : "approve", decider,
                                List.copyOf(approvers), rejects ? List.of(decider) : List.of()),
                        T0.plusSeconds(2)));
            }
            if (!c.approval().equals("pending")) {
                String type = switch (c.approval()) {
                    case "approved" -> EventTypes.APPROVAL_APPROVED;
                    case "rejected" -> EventTypes.APPROVAL_REJECTED;
                    default -> EventTypes.APPROVAL_EXPIRED;
                };
                boolean rejects = c.approval().equals("rejected");
                story.add(new Sent(Topics.APPROVALS, PrefixedId.next(PrefixedId.EVENT), type, approvalId,
                        approval(approvalId, org, List.of(id), c.approval(), null, null,
                                rejects ? List.of() : c.deciders(), rejects ? c.deciders() : List.of()),
                        T0.plusSeconds(3)));
            }
        }
        if (!c.status().equals("held")) {
            InvocationEvent.Result result = new InvocationEvent.Result(T0.plusSeconds(4), 120L,
                    c.status().equals("success") ? ESTIMATE : BigDecimal.ZERO, c.http(), c.errorCode(), c.name(),
                    null, null, null, c.delivery() == null ? null : "pending");
            story.add(new Sent(Topics.INVOCATIONS, PrefixedId.next(PrefixedId.EVENT), c.finalType(), id,
                    invocation(id, org, c.status(), c.approval(), approvalId, c.errorCode(),
                            c.status().equals("blocked") && c.http() == 403 ? "pol_deny" : null, result),
                    T0.plusSeconds(4)));
        }
        if (c.delivery() != null) {
            story.add(new Sent(Topics.INVOCATIONS, PrefixedId.next(PrefixedId.EVENT),
                    EventTypes.INVOCATION_DELIVERY_SETTLED, id, new DeliveryEvent("dlv_" + id, id, org, AGENT,
                            "callback", c.delivery(), 3, T0.plusSeconds(9)), T0.plusSeconds(9)));
        }
        return story;
    }

    private void send(String org, Sent sent) {
        events.sendTo(sent.topic(), sent.id(), sent.type(), sent.key(), org, sent.data(), sent.time());
    }

    private static InvocationEvent accepted(String id, String org) {
        return new InvocationEvent(id, org, null,
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", "Jane", null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", null, null),
                new InvocationEvent.KaizenAuth("api_key", "key_1", "key_1", "sk_live_a1b2c3d4", org, null),
                new InvocationEvent.Agent(AGENT, "Sales bot", "custom_http", "https://agents.example.com", null),
                null,
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", T0,
                        Map.of("User-Agent", "curl/8", "Authorization", "Bearer eyJ-secret")),
                new InvocationEvent.Governance("ALLOW", "dec_" + id, null, null, null, null),
                null);
    }

    /** A later event of the gateway: what it knows then, never the budget (only governance does). */
    private static InvocationEvent invocation(String id, String org, String status, String approvalStatus,
            String approvalId, String reason, String policy, InvocationEvent.Result result) {
        return new InvocationEvent(id, org, status,
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", null, null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", null, null),
                new InvocationEvent.KaizenAuth("api_key", "key_1", "key_1", "sk_live_a1b2c3d4", org, null),
                new InvocationEvent.Agent(AGENT, "Sales bot", "custom_http", "https://agents.example.com", null),
                null, new InvocationEvent.RequestContext(null, null, T0),
                new InvocationEvent.Governance(reason == null ? "ALLOW" : "DENY", "dec_" + id, reason, null,
                        approvalId, approvalStatus, policy, null, null, null),
                result);
    }

    private static GovernanceDecisionEvent decision(String id, String org, Case c) {
        Decision.BudgetState budget = c.remaining() == null ? null
                : new Decision.BudgetState("monthly", "usd", "monthly", new BigDecimal("100.00"), null, null,
                        ESTIMATE, c.remaining(), null, "hard", null, false, false);
        Decision.RateLimitState rate = c.rateRemaining() == null ? null
                : new Decision.RateLimitState("minute", 60, c.rateRemaining(), null, null);
        return new GovernanceDecisionEvent("dec_" + id, org, AGENT, id, "ext-42",
                c.errorCode() == null ? "ALLOW" : "DENY", c.errorCode(), "pol_1", List.of("pol_1"), List.of(),
                c.reserved() ? "rsv_" + id : null, ESTIMATE, rate, budget, List.of(), T0);
    }

    private static ApprovalEvent approval(String approvalId, String org, List<String> invocations, String status,
            String decision, String decidedBy, List<String> approvers, List<String> rejecters) {
        return new ApprovalEvent(approvalId, org, AGENT, invocations, status, "key_1", "ext-42", "cost_threshold",
                ESTIMATE, 2, approvers.size(), decision, decidedBy, null, approvers, rejecters, T0,
                T0.plusSeconds(3600), decision == null && !status.equals("pending") ? T0.plusSeconds(3) : null,
                status.equals("escalated") ? T0.plusSeconds(2) : null, 0);
    }

    private static String owner(String org) {
        return DevStackTestResource.stack().keys().token(org, List.of("org_owner"), "owner-1", null,
                Duration.ofMinutes(5));
    }

    /** How many rows of the organisation in the table hold the text, in any column and any case. */
    private static long mentions(String table, String org, String text) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement("select count(*) from " + table
                        + " t where organization_id = ? and t::text ilike ?")) {
            query.setString(1, org);
            query.setString(2, "%" + text + "%");
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** Rows of the organisation written since the erasure (its audit record's time). */
    private static long updatedAfterErasure(String org) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement("select count(*) from lineage_record where"
                        + " organization_id = ? and updated_at > (select max(recorded_at) from audit_event"
                        + " where organization_id = ? and type = 'kaizen.lineage.user_erased.v1')")) {
            query.setString(1, org);
            query.setString(2, org);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
