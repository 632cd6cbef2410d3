package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Approval workflows: an agent's own wins over its organisation's default, which wins over the built-in one. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalWorkflowTest {

    @Test
    void anAgentFollowsTheBuiltInDefaultThenItsOrganisationsThenItsOwnWorkflow() {
        String org = newOrg();
        String agent = newAgent();
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("default"))
                .body("approver_roles", contains("approver", "org_admin", "org_owner"))
                .body("approver_users", empty())
                .body("required_approvals", equalTo(1))
                .body("allow_self_approval", equalTo(false))
                .body("timeout_hours", equalTo(24))
                .body("on_timeout", equalTo("expire"));

        workflow(org, "default", "{\"required_approvals\": 2, \"timeout_hours\": 4, \"on_timeout\": \"reject\"}");
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("organization"))
                .body("required_approvals", equalTo(2))
                .body("on_timeout", equalTo("reject"));

        workflow(org, agent, "{\"approver_roles\": [], \"approver_users\": [\"alice\"], \"allow_self_approval\": true}");
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("agent"))
                .body("agent_id", equalTo(agent))
                .body("approver_roles", empty())
                .body("approver_users", contains("alice"))
                .body("required_approvals", equalTo(1))
                .body("allow_self_approval", equalTo(true))
                .body("updated_by", equalTo("admin-" + org));
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows").then().statusCode(200)
                .body("items.size()", equalTo(2));

        as(org, "admin-1", "org_admin").when().delete("/api/v1/approval-workflows/" + agent).then().statusCode(204);
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("organization"))
                .body("agent_id", equalTo(agent));
        as(org, "admin-1", "org_admin").when().delete("/api/v1/approval-workflows/" + agent).then().statusCode(404);
        // another organisation sees only its own
        as(newOrg(), "viewer-2", "auditor").when().get("/api/v1/approval-workflows/default").then().statusCode(200)
                .body("source", equalTo("default"))
                .body("agent_id", nullValue());
    }

    @Test
    void escalationRemindersAndTrustedRequestersAreStoredWithTheWorkflow() {
        String org = newOrg();
        String agent = newAgent();
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("escalate_after_minutes", nullValue())
                .body("escalation_roles", empty())
                .body("escalation_users", empty())
                .body("reminder_interval_minutes", equalTo(240))
                .body("max_reminders", equalTo(3))
                .body("auto_approve_roles", empty())
                .body("auto_approve_users", empty());

        workflow(org, agent, """
                {"escalate_after_minutes": 240, "escalation_roles": ["org_owner", "org_owner"],
                 "escalation_users": [" cto@acme.example ", "security-lead"], "reminder_interval_minutes": 120,
                 "max_reminders": 0, "auto_approve_roles": ["developer"], "auto_approve_users": ["ci-pipeline"]}""");
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("agent"))
                .body("escalate_after_minutes", equalTo(240))
                .body("escalation_roles", contains("org_owner"))
                .body("escalation_users", contains("cto@acme.example", "security-lead"))
                .body("reminder_interval_minutes", equalTo(120))
                .body("max_reminders", equalTo(0))
                .body("auto_approve_roles", contains("developer"))
                .body("auto_approve_users", contains("ci-pipeline"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"approver_roles\": [\"pilot\"]}|approver_roles|known roles",
            "{\"approver_roles\": [\"viewer\"]}|approver_roles|cannot approve",
            "{\"approver_roles\": [], \"approver_users\": []}|approver_roles|at least one approver",
            "{\"approver_users\": [\" \"]}|approver_users|non-blank",
            "{\"required_approvals\": 0}|required_approvals|from 1 to 20",
            "{\"required_approvals\": 21}|required_approvals|from 1 to 20",
            "{\"timeout_hours\": 0}|timeout_hours|from 1 to 720",
            "{\"on_timeout\": \"approve\"}|on_timeout|expire or reject",
            "{\"escalate_after_minutes\": 0, \"escalation_users\": [\"boss\"]}|escalate_after_minutes|from 1 to 1439",
            "{\"timeout_hours\": 2, \"escalate_after_minutes\": 120, \"escalation_users\": [\"boss\"]}|escalate_after_minutes|before the request times out",
            "{\"escalate_after_minutes\": 60}|escalation_users|at least one escalation role or user",
            "{\"escalation_users\": [\"boss\"]}|escalate_after_minutes|required with escalation targets",
            "{\"escalate_after_minutes\": 60, \"escalation_roles\": [\"viewer\"]}|escalation_roles|cannot approve",
            "{\"escalate_after_minutes\": 60, \"escalation_roles\": [\"chief\"]}|escalation_roles|known roles",
            "{\"escalate_after_minutes\": 60, \"escalation_users\": [\"\"]}|escalation_users|non-blank",
            "{\"reminder_interval_minutes\": 0}|reminder_interval_minutes|from 1 to 43200",
            "{\"reminder_interval_minutes\": 43201}|reminder_interval_minutes|from 1 to 43200",
            "{\"max_reminders\": -1}|max_reminders|from 0 (no reminders) to 20",
            "{\"max_reminders\": 21}|max_reminders|from 0 (no reminders) to 20",
            "{\"auto_approve_roles\": [\"root\"]}|auto_approve_roles|known roles",
            "{\"auto_approve_users\": [\" \"]}|auto_approve_users|non-blank"})
    void anInvalidWorkflowIsAProblemNamingItsField(String body, String field, String detail) {
        as(newOrg(), "admin-1", "org_admin").body(body).when().put("/api/v1/approval-workflows/default").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("field", equalTo(field))
                .body("detail", containsString(detail));
    }

    @Test
    void firstWorkflowsOfOneScopeStoredAtTheSameTimeLeaveOneAndAnswer200Or409() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        int writers = 6;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int n = 0; n < writers; n++) {
                int approvals = n + 1;
                answers.add(pool.submit(() -> {
                    start.await();
                    return as(org, "admin-1", "org_admin").body("{\"required_approvals\": " + approvals + "}")
                            .when().put("/api/v1/approval-workflows/" + agent).then().extract().statusCode();
                }));
            }
            java.util.List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(statuses).allMatch(status -> status == 200 || status == 409)
                    .contains(200);
        } finally {
            pool.shutdownNow();
        }
        as(org, "viewer-1", "auditor").when().get("/api/v1/approval-workflows/" + agent).then().statusCode(200)
                .body("source", equalTo("agent"));
    }

    @Test
    void malformedBodiesAndCallersWithoutThePermissionAreRefused() {
        String org = newOrg();
        as(org, "admin-1", "org_admin").body("{\"required_approvals\": \"two\"}").when()
                .put("/api/v1/approval-workflows/default").then().statusCode(400)
                .contentType("application/problem+json");
        as(org, "admin-1", "org_admin").body("{\"quorum\": 2}").when()
                .put("/api/v1/approval-workflows/default").then().statusCode(400)
                .contentType("application/problem+json");
        as(org, "admin-1", "org_admin").body("{}").when().put("/api/v1/approval-workflows/not-an-agent").then()
                .statusCode(404).body("error_code", equalTo("NOT_FOUND"));
        as(org, "dev-1", "developer").body("{}").when().put("/api/v1/approval-workflows/default").then()
                .statusCode(403).body("error_code", equalTo("FORBIDDEN"));
        as(org, "viewer-1", "viewer").when().get("/api/v1/approval-workflows/default").then().statusCode(403);
    }
}
