package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.events;
import static io.kaizen.approval.ApprovalApi.internal;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.open;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.kaizen.approval.ApprovalApi.workflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Requests opened for held invocations and the approvers' decisions on them: idempotency, joining a user's pending
 * request, every refusal, quorum of distinct approvers, and one outcome when approvers race.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalRequestTest {

    @Test
    void openingARequestIsIdempotentOnTheInvocationIdAndMasksThePayload() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String id = open(invocation, org, agent, "dev-1", "ext-1").statusCode(201)
                .body("status", equalTo("pending"))
                .body("external_agent_id", equalTo(agent))
                .body("requested_by_user_id", equalTo("dev-1"))
                .body("requested_by_team_id", equalTo("team-1"))
                .body("external_user_id", equalTo("ext-1"))
                .body("invocation_ids", contains(invocation))
                .body("trigger_reason", equalTo("Cost threshold exceeded ($150.00 > $100.00)"))
                .body("estimated_cost", equalTo(150.0f))
                .body("required_approvals", equalTo(1))
                .body("expires_at", notNullValue())
                .body("payload_summary", containsString("Summarise the contract"))
                .body("payload_summary", not(containsString("hunter2")))
                .body("payload_summary", not(containsString("abc.def")))
                .extract().path("id");

        open(invocation, org, agent, "dev-1", "ext-1").statusCode(200).body("id", equalTo(id));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED);
    }

    @Test
    void aUserWithAPendingRequestForTheAgentJoinsItAndAnotherUserGetsTheirOwn() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        String first = PrefixedId.next(PrefixedId.INVOCATION);
        String second = PrefixedId.next(PrefixedId.INVOCATION);
        String id = open(first, org, agent, "dev-1", "ext-1").statusCode(201).extract().path("id");
        open(second, org, agent, "dev-1", "ext-1").statusCode(200)
                .body("id", equalTo(id))
                .body("invocation_ids", contains(first, second));
        String other = open(PrefixedId.next(PrefixedId.INVOCATION), org, agent, "dev-1", "ext-2").statusCode(201)
                .extract().path("id");
        assertThat(other).isNotEqualTo(id);
        String otherAgent = open(PrefixedId.next(PrefixedId.INVOCATION), org, newAgent(), "dev-1", "ext-1")
                .statusCode(201).extract().path("id");
        assertThat(otherAgent).isNotEqualTo(id);
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED);
    }

    @Test
    void theInternalEndpointNeedsTheServiceTokenAndAWellFormedBody() {
        given().contentType("application/json").body("{}").when().post("/internal/v1/approval-requests").then()
                .statusCode(401).body("error_code", equalTo("UNAUTHORIZED"));
        internal().body("{\"invocation_id\": \"nope\"}").when().post("/internal/v1/approval-requests").then()
                .statusCode(400).contentType("application/problem+json")
                .body("field", equalTo("invocation_id"));
        internal().body("{\"invocation_id\": \"" + PrefixedId.next(PrefixedId.INVOCATION) + "\", \"agent_id\": \""
                        + newAgent() + "\", \"organization_id\": \"org_1\", \"requested_by\": \"dev-1\"}")
                .when().post("/internal/v1/approval-requests").then()
                .statusCode(400).body("field", equalTo("trigger_reason"));
    }

    @Test
    void aRequestIsApprovedAndItsEventsRecordTheDecision() throws Exception {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        as(org, "alice", "approver").body("{\"reason\": \"looks fine\"}").when()
                .post("/api/v1/approvals/" + id + "/approve").then().statusCode(200)
                .body("request_id", equalTo(id))
                .body("status", equalTo("approved"))
                .body("decision", equalTo("approved"))
                .body("decided_by", equalTo("alice"))
                .body("reason", equalTo("looks fine"))
                .body("decided_at", notNullValue());
        as(org, "bob", "auditor").when().get("/api/v1/approvals/" + id).then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("approvals[0].approver_id", equalTo("alice"))
                .body("approvals[0].reason", equalTo("looks fine"));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_DECISION_RECORDED,
                EventTypes.APPROVAL_APPROVED);
        // decided: approving or rejecting again is 409
        approve(org, "carol", id).statusCode(409).contentType("application/problem+json")
                .body("error_code", equalTo("CONFLICT"))
                .body("detail", equalTo("Already approved"))
                .body("status", equalTo("approved"));
    }

    @Test
    void aRejectionNeedsAReasonAndEndsTheRequest() throws Exception {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        as(org, "alice", "approver").body("{}").when().post("/api/v1/approvals/" + id + "/reject").then()
                .statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", equalTo("Reason is required for rejection"));
        as(org, "alice", "approver").body("{\"reason\": \"   \"}").when().post("/api/v1/approvals/" + id + "/reject")
                .then().statusCode(400);
        as(org, "alice", "approver").body("{\"reason\": \"too expensive\"}").when()
                .post("/api/v1/approvals/" + id + "/reject").then().statusCode(200)
                .body("status", equalTo("rejected"))
                .body("decision", equalTo("rejected"))
                .body("reason", equalTo("too expensive"));
        approve(org, "bob", id).statusCode(409).body("detail", equalTo("Already rejected"));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_DECISION_RECORDED,
                EventTypes.APPROVAL_REJECTED);
    }

    @Test
    void anUnknownRequestOrAnotherOrganisationsIsNotFound() {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        approve(newOrg(), "alice", id).statusCode(404).contentType("application/problem+json")
                .body("error_code", equalTo("NOT_FOUND"));
        as(newOrg(), "alice", "approver").when().get("/api/v1/approvals/" + id).then().statusCode(404);
        approve(org, "alice", PrefixedId.next(PrefixedId.APPROVAL)).statusCode(404);
        approve(org, "alice", "not-an-approval").statusCode(404).body("detail", equalTo("No approval request has that id"));
    }

    @Test
    void theRequesterMayNotApproveTheirOwnRequestUnlessTheWorkflowAllowsIt() {
        String org = newOrg();
        String agent = newAgent();
        String id = opened(org, agent, "alice");
        approve(org, "alice", id).statusCode(403).contentType("application/problem+json")
                .body("error_code", equalTo("FORBIDDEN"))
                .body("refusal", equalTo("self_approval"))
                .body("detail", equalTo("Cannot approve your own request"));

        String allowed = newAgent();
        workflow(org, allowed, "{\"allow_self_approval\": true}");
        approve(org, "alice", opened(org, allowed, "alice")).statusCode(200).body("status", equalTo("approved"));
    }

    @Test
    void onlyTheWorkflowsApproversMayDecideAndOnlyWithThePermission() {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"approver_roles\": [\"org_owner\"], \"approver_users\": [\"alice\"]}");
        String id = opened(org, agent, "dev-1");
        approve(org, "bob", id).statusCode(403)
                .body("error_code", equalTo("FORBIDDEN"))
                .body("refusal", equalTo("not_an_approver"))
                .body("detail", equalTo("Not authorized to approve"));
        as(org, "carol", "viewer").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(403).body("error_code", equalTo("FORBIDDEN"));
        as(org, "dave", "developer").body("{\"reason\": \"no\"}").when().post("/api/v1/approvals/" + id + "/reject")
                .then().statusCode(403);
        as(org, "owner", "org_owner").body("{}").when().post("/api/v1/approvals/" + id + "/approve").then()
                .statusCode(200).body("status", equalTo("approved"));
        String byName = opened(org, agent, "dev-1");
        approve(org, "alice", byName).statusCode(200).body("status", equalTo("approved"));
    }

    @Test
    void aQuorumOfTwoCountsTheSameApproverOnce() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"required_approvals\": 2}");
        String id = opened(org, agent, "dev-1");
        approve(org, "alice", id).statusCode(200)
                .body("status", equalTo("pending"))
                .body("approval_count", equalTo(1))
                .body("required_approvals", equalTo(2));
        approve(org, "alice", id).statusCode(200)
                .body("status", equalTo("pending"))
                .body("approval_count", equalTo(1));
        approve(org, "bob", id).statusCode(200)
                .body("status", equalTo("approved"))
                .body("approval_count", equalTo(2));
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("approvals.approver_id", contains("alice", "bob"));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_DECISION_RECORDED,
                EventTypes.APPROVAL_DECISION_RECORDED, EventTypes.APPROVAL_APPROVED);
    }

    @Test
    void twoApproversRacingForTheLastApprovalDecideTheRequestExactlyOnce() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"required_approvals\": 2}");
        for (int round = 0; round < 3; round++) {
            String id = opened(org, agent, "dev-" + round);
            approve(org, "alice", id).statusCode(200).body("status", equalTo("pending"));
            List<Callable<Response>> racers = List.of(
                    () -> approve(org, "bob", id).extract().response(),
                    () -> approve(org, "carol", id).extract().response(),
                    () -> as(org, "dave", "approver").body("{\"reason\": \"no\"}").when()
                            .post("/api/v1/approvals/" + id + "/reject").then().extract().response());
            List<Response> answers = ApprovalApi.together(racers);

            List<Integer> statuses = answers.stream().map(Response::statusCode).toList();
            assertThat(statuses).as("one decides, the others find it decided").containsOnly(200, 409)
                    .filteredOn(s -> s == 200).hasSize(1);
            List<String> outcomes = events(id).stream()
                    .filter(t -> t.equals(EventTypes.APPROVAL_APPROVED) || t.equals(EventTypes.APPROVAL_REJECTED))
                    .toList();
            assertThat(outcomes).hasSize(1);
        }
    }

    @Test
    void approvalsAreListedByStatusAgentAndRequesterAndPagedWithTheAgentsPendingOnes() {
        String org = newOrg();
        String agent = newAgent();
        String mine = opened(org, agent, "dev-1");
        String theirs = opened(org, agent, "dev-2");
        String elsewhere = opened(org, newAgent(), "dev-1");
        approve(org, "alice", theirs).statusCode(200);

        as(org, "alice", "approver").when().get("/api/v1/approvals?status=pending&agent_id=" + agent).then()
                .statusCode(200)
                .body("items.id", contains(mine))
                .body("total", equalTo(1));
        as(org, "dev-1", "developer").when().get("/api/v1/approvals?mine=true").then().statusCode(200)
                .body("items.id", contains(elsewhere, mine))
                .body("total", equalTo(2));
        as(org, "alice", "approver").when().get("/api/v1/approvals?limit=2&page=1").then().statusCode(200)
                .body("items.size()", equalTo(2))
                .body("total", equalTo(3))
                .body("page", equalTo(1))
                .body("limit", equalTo(2))
                .body("has_more", equalTo(true));
        as(org, "alice", "approver").when().get("/api/v1/external-agents/" + agent + "/approvals/pending").then()
                .statusCode(200)
                .body("pending_requests.id", contains(mine))
                .body("total_count", equalTo(1));
        as(org, "alice", "approver").when().get("/api/v1/approvals?status=waiting").then().statusCode(400)
                .body("field", equalTo("status"));
        as(org, "alice", "approver").when().get("/api/v1/approvals?mine=yes").then().statusCode(400);
        as(org, "alice", "approver").when().get("/api/v1/approvals?limit=101").then().statusCode(400);
    }
}
