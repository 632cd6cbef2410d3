package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class ApprovalTriggerDecisionTest {

    private static void triggers(String agent, String org, String json) {
        as(org, "org_admin").body("{\"approval_triggers\": " + json + "}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200);
    }

    private static String agent(String org) {
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1000, \"requests_per_hour\": 10000, \"requests_per_day\": 10000");
        return agent;
    }

    @Test
    void theUserRateTriggerCountsEachUsersEarlierDecisions() {
        String org = newOrg();
        String agent = agent(org);
        triggers(agent, org, "{\"rate_trigger_count\": 2, \"rate_trigger_window_seconds\": 600}");
        decide(agent, org, "\"user_id\": \"alice\"").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"user_id\": \"alice\"").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"user_id\": \"alice\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("User alice made 2 invocations in the last 600 s (trigger at 2)"))
                .body("approval_triggers.trigger", contains("rate_trigger"))
                .body("reservation_id", nullValue());
        decide(agent, org, "\"user_id\": \"bob\"").body("outcome", equalTo("ALLOW"));
    }

    @Test
    void aFirstInvocationWaitsForApprovalUntilTheUserHasReachedTheAgent() {
        String org = newOrg();
        String agent = agent(org);
        triggers(agent, org, "{\"require_first_invocation\": true}");
        for (int i = 0; i < 2; i++) {
            decide(agent, org, "\"user_id\": \"carol\"")
                    .body("outcome", equalTo("REQUIRE_APPROVAL"))
                    .body("reason", equalTo("First invocation of this agent by user carol"));
        }
        // nothing stays reserved for calls that wait for approval
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_reserved", equalTo(0.0f));
        // the approved call ran (the gateway reports it); from then on carol is no longer new
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "carol", "res_never_reserved", "0.05"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                decide(agent, org, "\"user_id\": \"carol\"").body("outcome", equalTo("ALLOW")));
    }

    /**
     * A use journaled with its allowed decision is not written again when the call settles: with every write to
     * {@code agent_user_seen} held back by a lock, the call's event still settles its reservation (the settlement
     * transaction would wait for the lock if it wrote the use).
     */
    @Test
    void aUseJournaledWithItsDecisionIsNotWrittenAgainWhenItsCallSettles() throws SQLException {
        String org = newOrg();
        String agent = agent(org);
        String reservation = decide(agent, org, "\"user_id\": \"dave\"").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        Ledger.flushJournal(agent);
        assertThat(Ledger.row("select user_id from agent_user_seen where agent_id = ?", agent))
                .containsEntry("user_id", "dave");
        try (Connection lock = Ledger.connect()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table agent_user_seen in share mode");
            }
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org,
                    invocation, Ledger.invocationData(invocation, org, agent, "dave", reservation, "0.05"));
            Ledger.awaitStatus(reservation, "settled");
            lock.rollback();
        }
    }

    @Test
    void anApprovedCallIsCheckedAgainstTheBudgetAgainButNotAgainstRateLimitsOrTriggers() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1, \"requests_per_hour\": 100, \"requests_per_day\": 100,"
                + " \"daily_budget_usd\": 10");
        triggers(agent, org, "{\"require_first_invocation\": true}");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        decide(invocation, agent, org, "\"user_id\": \"dan\"").body("outcome", equalTo("REQUIRE_APPROVAL"));
        // the minute's one call is spent by the held call; its approval neither counts again nor asks again
        String approval = PrefixedId.next(PrefixedId.APPROVAL);
        ApprovedResumptionTest.approvalService(approval, org, agent, null, "approved", invocation);
        decide(invocation, agent, org, "\"user_id\": \"dan\", \"approved_request_id\": \"" + approval + "\"")
                .body("outcome", equalTo("ALLOW"))
                .body("reservation_id", notNullValue())
                .body("approval_triggers", empty());
        decide(agent, org, "\"user_id\": \"erin\"").body("outcome", equalTo("DENY_RATE"));
        String other = PrefixedId.next(PrefixedId.INVOCATION);
        String second = PrefixedId.next(PrefixedId.APPROVAL);
        ApprovedResumptionTest.approvalService(second, org, agent, null, "approved", other);
        decide(other, agent, org, "\"user_id\": \"dan\", \"approved_request_id\": \"" + second
                + "\", \"estimated_cost\": 50")
                .body("outcome", equalTo("DENY_BUDGET"));
    }

    @Test
    void payloadAndSensitiveDataTriggersReadTheInput() {
        String org = newOrg();
        String agent = agent(org);
        triggers(agent, org, "{\"payload_patterns\": [\"wire\\\\s+transfer\"], \"sensitive_data\": [\"credit_card\", \"ssn\"]}");
        decide(agent, org, "\"input\": \"pay with 4111 1111 1111 1111\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("Sensitive data detected (credit_card)"));
        decide(agent, org, "\"input\": \"order 4111 1111 1111 1112\"").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"input\": \"Start a WIRE  transfer for 123-45-6789\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("Payload matches pattern 'wire\\s+transfer' | Sensitive data detected (ssn)"));
    }

    @Test
    void costTokensEnvironmentAndNewAgentTriggers() {
        String org = newOrg();
        String agent = agent(org);
        triggers(agent, org, "{\"cost_threshold\": 1.00, \"token_threshold\": 1000, \"new_agent_hours\": 24}");
        decide(agent, org, "\"estimated_cost\": 1.50, \"tokens\": 2000, \"agent_created_at\": \"2020-01-01T00:00:00Z\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("Cost threshold exceeded ($1.50 > $1.00) | Token threshold exceeded (2000 > 1000)"));
        decide(agent, org, "\"agent_created_at\": \"" + java.time.Instant.now().minusSeconds(7200) + "\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("approval_triggers.trigger", contains("new_agent"));
        decide(agent, org, "\"estimated_cost\": 1.00, \"tokens\": 1000, \"agent_created_at\": \"2020-01-01T00:00:00Z\"")
                .body("outcome", equalTo("ALLOW"));
    }

    @Test
    void organisationDefaultsApplyUnlessTheAgentOverridesThem() {
        String org = newOrg();
        String agent = agent(org);
        String other = agent(org);
        as(org, "org_admin").body("{\"approval_triggers\": {\"environments_requiring_approval\": [\"production\"]}}")
                .when().patch("/api/v1/policies/settings").then().statusCode(200)
                .body("approval_triggers.environments_requiring_approval", contains("production"));
        decide(agent, org, "\"environment\": \"production\"")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("Environment 'production' requires approval"));
        decide(agent, org, "\"environment\": \"staging\"").body("outcome", equalTo("ALLOW"));
        triggers(other, org, "{\"environments_requiring_approval\": []}");
        decide(other, org, "\"environment\": \"production\"").body("outcome", equalTo("ALLOW"));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().body("approval.enabled", equalTo(true));
    }

    @Test
    void badTriggersAre400NamingTheField() {
        String org = newOrg();
        String agent = agent(org);
        as(org, "org_admin").body("{\"approval_triggers\": {\"payload_patterns\": [\"([unclosed\"]}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(400).body("field", equalTo("approval_triggers.payload_patterns[0]"));
        as(org, "org_admin").body("{\"approval_triggers\": {\"sensitive_data\": [\"dna\"]}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(400)
                .body("detail", equalTo("approval_triggers.sensitive_data[0] must be one of ssn, credit_card, email, api_key"));
        as(org, "org_admin").body("{\"approval_triggers\": {\"rate_trigger_count\": 0}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(400).body("field", equalTo("approval_triggers.rate_trigger_count"));
        as(org, "org_admin").body("{\"approval_triggers\": {\"environments_requiring_approval\": [\"prod\"]}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(400).body("field", equalTo("approval_triggers.environments_requiring_approval[0]"));
        as(org, "org_admin").body("{\"approval_triggers\": {\"unknown_trigger\": true}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(400).body("detail", equalTo("Unknown field 'approval_triggers.unknown_trigger'"));
    }
}
