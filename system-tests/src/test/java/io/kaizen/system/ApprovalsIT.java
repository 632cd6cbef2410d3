package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink.SinkRequest;
import io.restassured.path.json.JsonPath;

/**
 * A call an approval trigger stops, end to end through the router and the five services: the gateway answers 202
 * pending_approval, an approver approves over HTTP, and the call executes, its result posted to the callback URL.
 */
class ApprovalsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Suite suite = Suite.get();

    @AfterEach
    void resetSink() {
        suite.stack.sink().reset();
    }

    @Test
    void aHeldCallIsExecutedOnceAnApproverApprovesIt() {
        String org = Suite.newOrg();
        String owner = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(owner, "Approval Gated Bot");
        suite.as(owner).body("{\"approval_triggers\": {\"require_first_invocation\": true}}")
                .when().patch("/api/v1/external-agents/" + agentId + "/governance").then().statusCode(200);

        var held = suite.invoking(owner)
                .body("{\"input\": \"wire the payment\", \"callback_url\": \"" + suite.stack.sinkUrl()
                        + "/hooks/approved-call\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202)
                .body("status", equalTo("pending_approval"))
                .extract();
        String invocationId = held.path("invocation_id");
        String approvalId = held.path("approval_request_id");
        assertThat(approvalId).startsWith("apr_");
        assertThat(callsTo("/agents/Approval-Gated-Bot")).as("not executed while held").isEmpty();

        String approver = suite.stack.keys().token(org, List.of("approver"), "approver-of-" + org, null,
                Duration.ofMinutes(15));
        suite.as(approver).when().get("/api/v1/external-agents/" + agentId + "/approvals/pending")
                .then().statusCode(200).body("pending_requests[0].id", equalTo(approvalId))
                .body("pending_requests[0].trigger_reason", equalTo("First invocation of this agent by user ext-user-7"));
        // the requester may not approve their own call
        suite.as(owner).body("{}").when().post("/api/v1/approvals/" + approvalId + "/approve")
                .then().statusCode(403).body("refusal", equalTo("self_approval"));
        suite.as(approver).body("{\"reason\": \"expected payment\"}")
                .when().post("/api/v1/approvals/" + approvalId + "/approve")
                .then().statusCode(200).body("status", equalTo("approved"));

        await().atMost(PATIENCE).untilAsserted(() -> suite.as(owner).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")));
        assertThat(callsTo("/agents/Approval-Gated-Bot")).hasSize(1);
        await().atMost(PATIENCE).until(() -> !callsTo("/hooks/approved-call").isEmpty());
        JsonPath callback = JsonPath.from(callsTo("/hooks/approved-call").get(0).body());
        assertThat(callback.getString("invocation_id")).isEqualTo(invocationId);
        assertThat(callback.getString("status")).isEqualTo("success");
        assertThat(callback.getString("approval_request_id")).isEqualTo(approvalId);
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(owner).when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")));
    }

    @Test
    void aCallOfARequesterTheWorkflowTrustsIsApprovedBySystemAndExecutedWithoutAnApprover() {
        String org = Suite.newOrg();
        String owner = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(owner, "Trusted Caller Bot");
        suite.as(owner).body("{\"approval_triggers\": {\"require_first_invocation\": true}}")
                .when().patch("/api/v1/external-agents/" + agentId + "/governance").then().statusCode(200);
        // the gateway sends the caller's roles with the request; the workflow trusts this one
        suite.as(owner).body("{\"auto_approve_roles\": [\"org_owner\"]}")
                .when().put("/api/v1/approval-workflows/" + agentId).then().statusCode(200);

        var held = suite.invoking(owner)
                .body("{\"input\": \"wire the payment\", \"callback_url\": \"" + suite.stack.sinkUrl()
                        + "/hooks/trusted-call\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202)
                .body("status", equalTo("pending_approval"))
                .extract();
        String invocationId = held.path("invocation_id");
        String approvalId = held.path("approval_request_id");

        await().atMost(PATIENCE).untilAsserted(() -> suite.as(owner).when().get("/api/v1/invocations/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")));
        suite.as(owner).when().get("/api/v1/approvals/" + approvalId).then().statusCode(200)
                .body("status", equalTo("approved"))
                .body("approvals[0].approver_id", equalTo("system"));
        await().atMost(PATIENCE).until(() -> !callsTo("/hooks/trusted-call").isEmpty());
        assertThat(JsonPath.from(callsTo("/hooks/trusted-call").get(0).body()).getString("status"))
                .isEqualTo("success");
        // the approval event, consumed after the gateway took the call up itself, executes nothing again
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(owner).when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")));
        assertThat(callsTo("/agents/Trusted-Caller-Bot")).hasSize(1);
    }

    private List<SinkRequest> callsTo(String path) {
        return suite.stack.sink().requests().stream().filter(r -> r.path().equals(path)).toList();
    }
}
