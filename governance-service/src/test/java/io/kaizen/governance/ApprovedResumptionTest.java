package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.Sink;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A resumed call's {@code approved_request_id} skips rate limits and approval triggers only when approval-service
 * (a real HTTP stand-in answering {@code GET /internal/v1/approval-requests/{id}}) confirms that the request approved
 * this very call: a forged or reused id, or one of another organisation, agent, requester or call, gets the normal
 * decision; an approval that cannot be checked makes the decision UNAVAILABLE.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class ApprovedResumptionTest {

    private static Sink approvalService() {
        return DevStackTestResource.stack().sink();
    }

    /** approval-service's answer to the next read of a request. */
    static void approvalService(String id, String org, String agent, String requester, String status,
            String... invocations) {
        JsonObject request = new JsonObject().put("id", id).put("organization_id", org)
                .put("external_agent_id", agent).put("requested_by_user_id", requester).put("status", status)
                .put("invocation_ids", new JsonArray(List.of(invocations)));
        approvalService().respond(200, 0, request.encode(), 1);
    }

    @BeforeEach
    void forget() {
        approvalService().reset();
    }

    /** An agent whose every first call by a user needs approval; plenty of rate limit and budget. */
    private static String heldAgent(String org) {
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1000, \"requests_per_hour\": 10000, \"requests_per_day\": 10000");
        as(org, "org_admin").body("{\"approval_triggers\": {\"require_first_invocation\": true}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200);
        return agent;
    }

    private static String claim(String approval) {
        return "\"user_id\": \"dan\", \"subject\": \"user-dan\", \"approved_request_id\": \"" + approval + "\"";
    }

    @Test
    void anApprovalOfThisVeryCallSkipsTheTriggersAndIsAskedWithTheServiceToken() {
        String org = newOrg();
        String agent = heldAgent(org);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String joined = PrefixedId.next(PrefixedId.INVOCATION);
        String approval = PrefixedId.next(PrefixedId.APPROVAL);
        approvalService(approval, org, agent, "user-dan", "approved", invocation, joined);
        decide(joined, agent, org, claim(approval))
                .body("outcome", equalTo("ALLOW"))
                .body("reservation_id", notNullValue())
                .body("approval_triggers", empty());
        Sink.SinkRequest asked = approvalService().requests().get(0);
        assertThat(asked.method()).isEqualTo("GET");
        assertThat(asked.path()).isEqualTo("/internal/v1/approval-requests/" + approval);
        assertThat(asked.header("X-Kaizen-Service-Token")).isEqualTo(DevStackTestResource.stack().serviceToken());
    }

    @Test
    void anApprovalApprovalServiceDoesNotBackGetsTheNormalDecision() {
        String org = newOrg();
        String agent = heldAgent(org);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String approval = PrefixedId.next(PrefixedId.APPROVAL);
        String elsewhere = heldAgent(newOrg());

        // forged: approval-service knows no such request
        approvalService().respond(404, 0, "{\"error_code\": \"NOT_FOUND\"}", 1);
        refused(invocation, agent, org, approval);
        // another organisation's, another agent's, another requester's, another call's, or not approved (yet)
        approvalService(approval, "org_other", agent, "user-dan", "approved", invocation);
        refused(invocation, agent, org, approval);
        approvalService(approval, org, elsewhere, "user-dan", "approved", invocation);
        refused(invocation, agent, org, approval);
        approvalService(approval, org, agent, "user-eve", "approved", invocation);
        refused(invocation, agent, org, approval);
        approvalService(approval, org, agent, "user-dan", "approved", PrefixedId.next(PrefixedId.INVOCATION));
        refused(invocation, agent, org, approval);
        approvalService(approval, org, agent, "user-dan", "pending", invocation);
        refused(invocation, agent, org, approval);
        approvalService(approval, org, agent, "user-dan", "rejected", invocation);
        refused(invocation, agent, org, approval);
        // not even an approval id: approval-service is not asked
        int asked = approvalService().requests().size();
        refused(invocation, agent, org, "apr_forged");
        assertThat(approvalService().requests()).hasSize(asked);
    }

    @Test
    void anApprovalThatCannotBeCheckedIsUnavailableAndReservesNothing() {
        String org = newOrg();
        String agent = heldAgent(org);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        approvalService().respond(503, 0, "{}", 1);
        decide(invocation, agent, org, claim(PrefixedId.next(PrefixedId.APPROVAL)))
                .body("outcome", equalTo("UNAVAILABLE"))
                .body("reservation_id", nullValue());
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_reserved", equalTo(0.0f));
    }

    private static void refused(String invocation, String agent, String org, String approval) {
        decide(invocation, agent, org, claim(approval))
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("approval_triggers.trigger", contains("first_invocation"))
                .body("reservation_id", nullValue());
    }
}
