package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.events;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.openWithRoles;
import static io.kaizen.approval.ApprovalApi.payload;
import static io.kaizen.approval.ApprovalApi.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Auto-approval: the request of a requester the workflow trusts, by subject or by role, is approved as it is opened,
 * by {@code system}, with the events of any approval, so the gateway resumes the held call as after a decision.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalAutoApprovalTest {

    @Test
    void aTrustedUsersOrRolesRequestIsApprovedAtOnceBySystemWithItsEvents() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, """
                {"required_approvals": 2, "auto_approve_users": ["ci-pipeline"], "auto_approve_roles": ["org_owner"],
                 "escalate_after_minutes": 60, "escalation_users": ["boss"]}""");

        String byName = openWithRoles(org, agent, "ci-pipeline", "[]").statusCode(201)
                .body("status", equalTo("approved"))
                .body("approvals[0].approver_id", equalTo("system"))
                .body("approvals[0].reason", containsString("trusted"))
                .body("decided_at", notNullValue())
                .body("escalate_at", nullValue())
                .body("next_reminder_at", nullValue())
                .extract().path("id");
        assertThat(events(byName)).containsExactly(EventTypes.APPROVAL_REQUESTED,
                EventTypes.APPROVAL_DECISION_RECORDED, EventTypes.APPROVAL_APPROVED);
        // the request is recorded as opened, then as decided
        assertThat(new JsonObject(payload(byName, EventTypes.APPROVAL_REQUESTED)).getString("status"))
                .isEqualTo("pending");
        JsonObject approved = new JsonObject(payload(byName, EventTypes.APPROVAL_APPROVED));
        assertThat(approved.getString("status")).isEqualTo("approved");
        assertThat(approved.getString("decided_by")).isEqualTo("system");
        assertThat(approved.getJsonArray("approvers").getList()).containsExactly("system");
        approve(org, "alice", byName).statusCode(409).body("detail", equalTo("Already approved"));

        openWithRoles(org, agent, "dev-1", "[\"developer\", \"org_owner\"]").statusCode(201)
                .body("status", equalTo("approved"));
        // anyone else waits for the approvers, as do the trusted on an agent whose workflow does not trust them
        String untrusted = openWithRoles(org, agent, "dev-2", "[\"developer\"]").statusCode(201)
                .body("status", equalTo("pending")).extract().path("id");
        assertThat(events(untrusted)).containsExactly(EventTypes.APPROVAL_REQUESTED);
        openWithRoles(org, newAgent(), "ci-pipeline", "[\"org_owner\"]").statusCode(201)
                .body("status", equalTo("pending"));
        // both trusted requests are listed as approved
        as(org, "alice", "approver").when().get("/api/v1/approvals?status=approved&agent_id=" + agent).then()
                .body("total", equalTo(2));
    }

    @Test
    void theRequestersRolesMustBeWellFormed() {
        String org = newOrg();
        openWithRoles(org, newAgent(), "dev-1", "[\" \"]").statusCode(400)
                .contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("field", equalTo("requested_by_roles"));
        openWithRoles(org, newAgent(), "dev-1", "[\"" + "r".repeat(256) + "\"]").statusCode(400)
                .body("field", equalTo("requested_by_roles"));
        openWithRoles(org, newAgent(), "dev-1", "null").statusCode(201).body("status", equalTo("pending"));
    }
}
