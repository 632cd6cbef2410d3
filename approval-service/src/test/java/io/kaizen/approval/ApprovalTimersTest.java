package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.due;
import static io.kaizen.approval.ApprovalApi.events;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.open;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.kaizen.approval.ApprovalApi.payload;
import static io.kaizen.approval.ApprovalApi.timerDue;
import static io.kaizen.approval.ApprovalApi.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.kaizen.approval.service.ApprovalTimers;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * The escalation and reminder timers: due times are the request's columns, so a timer that fell due while no replica
 * ran fires at the next sweep, and replicas sweeping at the same instant fire each timer once. An escalated request
 * stays decidable, by its approvers and now also its escalation targets, and joinable while nobody decided on it; it
 * ends as any request does.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalTimersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ESCALATING = """
            {"approver_roles": ["approver"], "escalate_after_minutes": 240, "escalation_users": ["boss"],
             "escalation_roles": ["org_owner"]}""";

    @Inject
    ApprovalTimers timers;

    @Test
    void escalationTargetsMayDecideOnlyOnceTheRequestEscalatedWhichTwoReplicasDoOnce() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, ESCALATING);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(opened(org, agent, "dev-" + i));
        }
        String id = ids.get(0);
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("pending"))
                .body("escalate_at", notNullValue())
                .body("escalated_at", nullValue())
                .body("escalation_users", contains("boss"))
                .body("escalation_roles", contains("org_owner"));
        // the targets are no approvers before the escalation
        as(org, "boss", "org_admin").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(403).body("refusal", equalTo("not_an_approver"));
        as(org, "owner", "org_owner").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(403).body("refusal", equalTo("not_an_approver"));

        for (String request : ids) {
            timerDue(request, "escalate_at", 1);
        }
        // two replicas' sweeps released at the same instant, besides this replica's own timer
        List<Callable<Integer>> replicas = List.of(() -> escalate(), () -> escalate());
        List<Integer> escalated = ApprovalApi.together(replicas);
        assertThat(escalated.stream().mapToInt(Integer::intValue).sum()).isLessThanOrEqualTo(ids.size());
        for (String request : ids) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(events(request))
                    .contains(EventTypes.APPROVAL_ESCALATED));
        }
        escalate();
        for (String request : ids) {
            assertThat(Collections.frequency(events(request), EventTypes.APPROVAL_ESCALATED)).as(request).isEqualTo(1);
        }
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("escalated"))
                .body("escalated_at", notNullValue());
        JsonObject data = new JsonObject(payload(id, EventTypes.APPROVAL_ESCALATED));
        assertThat(data.getString("status")).isEqualTo("escalated");
        assertThat(data.getValue("escalated_at")).isNotNull();
        as(org, "alice", "approver").when().get("/api/v1/approvals?status=escalated&agent_id=" + agent).then()
                .body("total", equalTo(4));
        as(org, "alice", "approver").when().get("/api/v1/external-agents/" + agent + "/approvals/pending").then()
                .body("total_count", equalTo(4));

        // an escalation target by name, an escalation target by role, and an original approver decide
        as(org, "boss", "org_admin").body("{\"reason\": \"escalated to me\"}").when()
                .post("/api/v1/approvals/" + id + "/approve").then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("decided_by", equalTo("boss"));
        as(org, "owner", "org_owner").body("{\"reason\": \"no\"}").when()
                .post("/api/v1/approvals/" + ids.get(1) + "/reject").then().statusCode(200)
                .body("status", equalTo("rejected"));
        approve(org, "alice", ids.get(2)).statusCode(200).body("status", equalTo("approved"));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_ESCALATED,
                EventTypes.APPROVAL_DECISION_RECORDED, EventTypes.APPROVAL_APPROVED);
        // still nobody else
        as(org, "carol", "org_admin").body("{}").when().post("/api/v1/approvals/" + ids.get(3) + "/approve").then()
                .statusCode(403).body("refusal", equalTo("not_an_approver"));
    }

    @Test
    void anEscalatedRequestStillExpiresAndADecidedOrTimedOutOneNeverEscalates() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, ESCALATING);
        String escalated = opened(org, agent, "dev-1");
        String decided = opened(org, agent, "dev-2");
        String timedOut = opened(org, agent, "dev-3");
        approve(org, "alice", decided).statusCode(200);
        due(timedOut);
        timerDue(escalated, "escalate_at", 1);
        timerDue(decided, "escalate_at", 1);
        timerDue(timedOut, "escalate_at", 1);
        escalate();
        await().atMost(WAIT).until(() -> events(escalated).contains(EventTypes.APPROVAL_ESCALATED));

        due(escalated);
        await().atMost(WAIT).untilAsserted(() -> assertThat(events(escalated)).containsExactly(
                EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_ESCALATED, EventTypes.APPROVAL_EXPIRED));
        await().atMost(WAIT).until(() -> events(timedOut).contains(EventTypes.APPROVAL_EXPIRED));
        escalate();
        assertThat(events(decided)).doesNotContain(EventTypes.APPROVAL_ESCALATED);
        assertThat(events(timedOut)).doesNotContain(EventTypes.APPROVAL_ESCALATED);
        as(org, "boss", "org_admin").body("{}").when().post("/api/v1/approvals/" + escalated + "/approve").then()
                .statusCode(410).body("error_code", equalTo("APPROVAL_EXPIRED"));
    }

    @Test
    void aCallJoinsAnEscalatedRequestOnlyWhileNobodyDecidedOnItAndTheRequestsEndStopsItsTimers() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, """
                {"approver_roles": ["approver"], "required_approvals": 2, "escalate_after_minutes": 240,
                 "escalation_users": ["boss"], "reminder_interval_minutes": 30, "max_reminders": 3}""");
        String first = PrefixedId.next(PrefixedId.INVOCATION);
        String id = open(first, org, agent, "dev-1", "ext-1").statusCode(201).extract().path("id");
        timerDue(id, "escalate_at", 1);
        escalate();
        await().atMost(WAIT).until(() -> events(id).contains(EventTypes.APPROVAL_ESCALATED));

        // escalated and undecided: the same requester's next call joins it, and the targets decide it with the rest
        String second = PrefixedId.next(PrefixedId.INVOCATION);
        open(second, org, agent, "dev-1", "ext-1").statusCode(200)
                .body("id", equalTo(id))
                .body("status", equalTo("escalated"))
                .body("invocation_ids", contains(first, second));
        as(org, "boss", "org_admin").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(200).body("status", equalTo("escalated")).body("approval_count", equalTo(1));
        // the target's approval did not cover a call it never saw: the next call opens a request of its own
        String third = PrefixedId.next(PrefixedId.INVOCATION);
        open(third, org, agent, "dev-1", "ext-1").statusCode(201).body("id", not(equalTo(id)));

        approve(org, "alice", id).statusCode(200).body("status", equalTo("approved"));
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("invocation_ids", contains(first, second))
                .body("escalate_at", nullValue())
                .body("next_reminder_at", nullValue());
        assertThat(new JsonObject(payload(id, EventTypes.APPROVAL_APPROVED)).getJsonArray("invocation_ids").getList())
                .containsExactly(first, second);
        timerDue(id, "next_reminder_at", 1);
        remind();
        assertThat(events(id)).doesNotContain(EventTypes.APPROVAL_REMINDER_SENT);
    }

    @Test
    void anEscalatedRequestThatTimesOutUnderRejectIsRejectedAsTheSystemLikeAnyDecision() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, """
                {"approver_roles": ["approver"], "escalate_after_minutes": 240, "escalation_users": ["boss"],
                 "on_timeout": "reject"}""");
        String id = opened(org, agent, "dev-1");
        timerDue(id, "escalate_at", 1);
        escalate();
        await().atMost(WAIT).until(() -> events(id).contains(EventTypes.APPROVAL_ESCALATED));
        due(id);
        timers.expireDue().await().atMost(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED,
                EventTypes.APPROVAL_ESCALATED, EventTypes.APPROVAL_DECISION_RECORDED, EventTypes.APPROVAL_REJECTED));
        as(org, "boss", "org_admin").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("rejected"))
                .body("rejections[0].approver_id", equalTo("system"));
    }

    @Test
    void remindersFallDueEveryIntervalUpToTheirCountEachOnceThoughTwoReplicasSweep() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"reminder_interval_minutes\": 30, \"max_reminders\": 2}");
        String id = opened(org, agent, "dev-1");
        String created = as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("reminders_sent", equalTo(0)).extract().path("created_at");
        String first = as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .extract().path("next_reminder_at");
        assertThat(Duration.between(Instant.parse(created), Instant.parse(first))).isEqualTo(Duration.ofMinutes(30));

        for (int round = 1; round <= 3; round++) {
            timerDue(id, "next_reminder_at", 1);
            List<Callable<Integer>> replicas = List.of(() -> remind(), () -> remind());
            ApprovalApi.together(replicas);
            int expected = Math.min(round, 2);
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    Collections.frequency(events(id), EventTypes.APPROVAL_REMINDER_SENT)).isEqualTo(expected));
        }
        remind();
        assertThat(Collections.frequency(events(id), EventTypes.APPROVAL_REMINDER_SENT)).isEqualTo(2);
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("pending"))
                .body("reminders_sent", equalTo(2))
                .body("next_reminder_at", nullValue());
        assertThat(new JsonObject(payload(id, EventTypes.APPROVAL_REMINDER_SENT)).getInteger("reminders_sent"))
                .isEqualTo(1);
        // reminders do not decide: the request is approved as any other
        approve(org, "alice", id).statusCode(200).body("status", equalTo("approved"));
    }

    @Test
    void aReminderThatFellDueWhileNoReplicaRanFiresOnceAtTheNextSweep() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"reminder_interval_minutes\": 30, \"max_reminders\": 5}");
        String id = opened(org, agent, "dev-1");
        // three intervals went by with no replica running
        timerDue(id, "next_reminder_at", 95);
        remind();
        await().atMost(WAIT).until(() -> events(id).contains(EventTypes.APPROVAL_REMINDER_SENT));
        remind();
        assertThat(Collections.frequency(events(id), EventTypes.APPROVAL_REMINDER_SENT)).as("one, not one per interval")
                .isEqualTo(1);
        String next = as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("reminders_sent", equalTo(1)).extract().path("next_reminder_at");
        assertThat(Instant.parse(next)).isAfter(Instant.now().plus(Duration.ofMinutes(20)));

        // a workflow without reminders sets no timer; a decided request gets none
        String agentWithout = newAgent();
        workflow(org, agentWithout, "{\"max_reminders\": 0}");
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + opened(org, agentWithout, "dev-1")).then()
                .body("next_reminder_at", nullValue());
        String decided = opened(org, agent, "dev-2");
        approve(org, "alice", decided).statusCode(200);
        timerDue(decided, "next_reminder_at", 1);
        remind();
        assertThat(events(decided)).doesNotContain(EventTypes.APPROVAL_REMINDER_SENT);
    }

    @Test
    void anEscalationAndAReminderTellTheWorkflowsChannelsAgainWithNewLinks() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, """
                {"approver_users": ["alice@example.com"], "escalate_after_minutes": 240, "escalation_users": ["boss"],
                 "reminder_interval_minutes": 60, "max_reminders": 1,
                 "notification_channels": [{"type": "email", "to": "alice@example.com"}]}""");
        String id = opened(org, agent, "dev-told");
        assertThat(ApprovalApi.notifications(id)).extracting(n -> n.get("subject").asText())
                .containsExactly("approval.requested");

        timerDue(id, "escalate_at", 1);
        timerDue(id, "next_reminder_at", 1);
        escalate();
        remind();

        // the service's own sweep (every second in tests) may hold the row and fire the timer in its transaction
        // while this one skips it: wait for that commit
        await().atMost(WAIT).untilAsserted(() -> assertThat(ApprovalApi.notifications(id))
                .extracting(n -> n.get("subject").asText())
                .containsExactlyInAnyOrder("approval.requested", "approval.escalated", "approval.reminder"));
        List<com.fasterxml.jackson.databind.JsonNode> told = ApprovalApi.notifications(id);
        assertThat(told).extracting(n -> n.at("/message/link").asText()).doesNotHaveDuplicates()
                .allMatch(link -> link.contains("/approvals/review/"));
        assertThat(told).filteredOn(n -> n.get("subject").asText().equals("approval.escalated")).singleElement()
                .satisfies(n -> assertThat(n.at("/message/title").asText())
                        .startsWith("Escalated: approval required"));
    }

    private Integer escalate() {
        return timers.escalateDue().await().atMost(WAIT);
    }

    private Integer remind() {
        return timers.remindDue().await().atMost(WAIT);
    }
}
