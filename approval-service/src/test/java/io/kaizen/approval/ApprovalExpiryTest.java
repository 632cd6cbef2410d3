package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.due;
import static io.kaizen.approval.ApprovalApi.events;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.kaizen.approval.ApprovalApi.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import io.kaizen.approval.service.ApprovalTimers;
import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The expiry timer: its due time is the request's column, so a request that fell due while no replica ran is ended by
 * the first sweep after start; sweeps of several replicas end it once; the workflow says whether it expires or is
 * rejected.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalExpiryTest {

    @Inject
    ApprovalTimers timers;

    @Test
    void aRequestThatFellDueWhileNoReplicaRanExpiresOnceThoughSeveralReplicasSweepTogether() throws Exception {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        approve(org, "alice", id).statusCode(200);
        String pending = opened(org, newAgent(), "dev-2");
        due(pending);

        // three replicas' sweeps at the same instant, besides this replica's own timer
        List<Callable<Integer>> sweeps = List.of(() -> sweep(), () -> sweep(), () -> sweep());
        ApprovalApi.together(sweeps);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "alice", "approver").when()
                .get("/api/v1/approvals/" + pending).then().body("status", equalTo("expired")));
        assertThat(events(pending)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_EXPIRED);
        approve(org, "alice", pending).statusCode(410).contentType("application/problem+json")
                .body("error_code", equalTo("APPROVAL_EXPIRED"));
        // a decided request is not the timer's
        as(org, "alice", "approver").when().get("/api/v1/approvals/" + id).then().body("status", equalTo("approved"));
    }

    @Test
    void aRequestPastItsDueTimeCannotBeApprovedEvenBeforeTheSweepEndsIt() throws Exception {
        String org = newOrg();
        String id = opened(org, newAgent(), "dev-1");
        due(id);
        approve(org, "alice", id).statusCode(410).body("error_code", equalTo("APPROVAL_EXPIRED"));
        await().atMost(Duration.ofSeconds(60)).until(() -> events(id).contains(EventTypes.APPROVAL_EXPIRED));
        assertThat(events(id)).doesNotContain(EventTypes.APPROVAL_APPROVED);
    }

    @Test
    void aWorkflowThatRejectsOnTimeoutRejectsTheDueRequestAsTheSystem() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"on_timeout\": \"reject\"}");
        String id = opened(org, agent, "dev-1");
        due(id);
        sweep();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "alice", "approver").when()
                .get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("rejected"))
                .body("rejections[0].approver_id", equalTo("system"))
                .body("rejections[0].reason", equalTo("Timed out without a decision")));
        assertThat(events(id)).containsExactly(EventTypes.APPROVAL_REQUESTED, EventTypes.APPROVAL_DECISION_RECORDED,
                EventTypes.APPROVAL_REJECTED);
        approve(org, "alice", id).statusCode(409).body("detail", equalTo("Already rejected"));
    }

    private Integer sweep() {
        return timers.expireDue().await().atMost(Duration.ofSeconds(60));
    }
}
