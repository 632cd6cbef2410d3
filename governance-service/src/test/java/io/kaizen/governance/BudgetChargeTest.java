package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** What a call reserves and is charged: never less than the agent's configured cost, whatever the caller says. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class BudgetChargeTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";

    private static Tally monthTally(String agent) {
        return Ledger.monthTally(BudgetTallies.agentTag(agent));
    }

    @Test
    void aCallerEstimateOfZeroStillReservesTheConfiguredCost() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 0.10, \"cost_per_execution\": 0.05");
        for (int i = 0; i < 2; i++) {
            decide(agent, org, "\"estimated_cost\": 0")
                    .body("outcome", equalTo("ALLOW"))
                    .body("estimated_cost", equalTo(0.05f))
                    .body("cost_per_execution", equalTo(0.05f));
        }
        decide(agent, org, "\"estimated_cost\": 0")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("reason", equalTo("Monthly budget would be exceeded: $0.15 > $0.10"));
        assertThat(monthTally(agent)).isEqualTo(new Tally(0, 100_000, 0, 2));
    }

    @Test
    void aCallerEstimateAboveTheConfiguredCostRaisesTheReservation() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        decide(agent, org, "\"estimated_cost\": 0.30")
                .body("outcome", equalTo("ALLOW"))
                .body("estimated_cost", equalTo(0.3f))
                .body("cost_per_execution", equalTo(0.05f));
        assertThat(monthTally(agent).reserved()).isEqualTo(300_000);
    }

    @Test
    void theCostApprovalTriggerSeesTheReservedAmountNotALowerEstimate() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        as(org, "org_admin").body("{\"approval_triggers\": {\"cost_threshold\": 0.04}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200);
        decide(agent, org, "\"estimated_cost\": 0")
                .body("outcome", equalTo("REQUIRE_APPROVAL"))
                .body("reason", equalTo("Cost threshold exceeded ($0.05 > $0.04)"));
    }

    @Test
    void aCallWhoseAgentReportedNoCostIsChargedTheConfiguredCostWhateverTheEventCarries() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "\"estimated_cost\": 0.30")
                .extract().path("reservation_id");
        // the caller's raised estimate is not what is charged, nor a cost the event carries without a report
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}",
                        "{\"cost_usd\": 0}"));
        Ledger.awaitStatus(reservation, "settled");
        assertThat((BigDecimal) Ledger.reservation(reservation).get("actual_usd")).isEqualByComparingTo("0.05");
        assertThat(monthTally(agent)).isEqualTo(new Tally(50_000, 0, 1, 0));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.05f)).body("cost_reserved", equalTo(0.0f));
    }

    @Test
    void aReportedCostAboveTheReservationChargesTheOverage() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 0.33, \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "").body("estimated_cost", equalTo(0.05f))
                .extract().path("reservation_id");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}",
                        "{\"cost_usd\": 0.30, \"reported_cost_usd\": 0.30}"));
        Ledger.awaitStatus(reservation, "settled");
        assertThat(monthTally(agent)).isEqualTo(new Tally(300_000, 0, 1, 0));
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.30");
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.3f)).body("cost_remaining", equalTo(0.03f));
        // the overage counts against the limit like any spend
        decide(agent, org, "")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.spent", equalTo(0.3f))
                .body("reason", equalTo("Monthly budget would be exceeded: $0.35 > $0.33"));
    }

    @Test
    void malformedEstimatesAreRefusedWithAProblemNotAServerError() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        for (String estimate : List.of("1e400", "NaN", "Infinity", "-0.01", "\"0.05\"", "\"NaN\"", "1000000.01",
                "true", "{}")) {
            byte[] body = ("{\"invocation_id\": \"inv_1\", \"organization_id\": \"" + org + "\", \"agent_id\": \""
                    + agent + "\", \"estimated_cost\": " + estimate + "}").getBytes(StandardCharsets.UTF_8);
            internal().body(body).when().post("/internal/v1/decisions")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("request_id", notNullValue());
        }
        // an amount far below a micro-USD is a valid estimate: it reserves the configured cost, promptly
        decide(agent, org, "\"estimated_cost\": 1e-999999999")
                .body("outcome", equalTo("ALLOW")).body("estimated_cost", equalTo(0.05f));
        assertThat(monthTally(agent).reserved()).isEqualTo(50_000);
    }
}
