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
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Token-based cost (original-spec §3.5): a completed call whose agent reported token counts but no cost is charged
 * {@code input_tokens × input_token_rate + output_tokens × output_token_rate + base_invocation_cost} at the agent's
 * rates, to the Redis tallies and the ledger alike.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class TokenChargeTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";

    /** Decides a call of {@code agent}, publishes its completion with {@code result} and returns the settled charge. */
    private static BigDecimal settle(String agent, String org, String result) {
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "").extract().path("reservation_id");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}", result));
        Ledger.awaitStatus(reservation, "settled");
        return (BigDecimal) Ledger.reservation(reservation).get("actual_usd");
    }

    private static Tally monthTally(String agent) {
        return Ledger.monthTally(BudgetTallies.agentTag(agent));
    }

    @Test
    void tokensWithoutACostAreChargedAtTheReferenceRatesByDefault() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        // the decision tells the gateway the rates, so the cost it answers is the one charged
        String reservation = decide(invocation, agent, org, "")
                .body("token_rates.input_token_rate", equalTo(0.00001f))
                .body("token_rates.output_token_rate", equalTo(0.00003f))
                .body("token_rates.base_invocation_cost", equalTo(0.001f))
                .extract().path("reservation_id");

        // 1,000 in + 500 out + 1 call = 0.026; the cost the event carries is not what is charged
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}",
                        "{\"cost_usd\": 0.05, \"input_tokens\": 1000, \"output_tokens\": 500}"));
        Ledger.awaitStatus(reservation, "settled");
        assertThat((BigDecimal) Ledger.reservation(reservation).get("actual_usd")).isEqualByComparingTo("0.026");
        assertThat(monthTally(agent)).isEqualTo(new Tally(26_000, 0, 1, 0));
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.026");
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.026f)).body("invocations", equalTo(1));
    }

    @Test
    void tokensArePricedAtTheAgentsOwnRates() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05, \"input_token_rate\": 0.00002,"
                + " \"output_token_rate\": 0.00004, \"base_invocation_cost\": 0.002");

        assertThat(settle(agent, org, "{\"input_tokens\": 1000, \"output_tokens\": 500}")).isEqualByComparingTo("0.042");
        // one count is enough; the other is zero tokens
        assertThat(settle(agent, org, "{\"output_tokens\": 500}")).isEqualByComparingTo("0.022");
        assertThat(settle(agent, org, "{\"input_tokens\": 0}")).isEqualByComparingTo("0.002");
        assertThat(monthTally(agent)).isEqualTo(new Tally(66_000, 0, 3, 0));
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.066");
    }

    @Test
    void aReportedCostWinsOverReportedTokens() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        assertThat(settle(agent, org, "{\"cost_usd\": 0.30, \"reported_cost_usd\": 0.30, \"input_tokens\": 1000,"
                + " \"output_tokens\": 500}")).isEqualByComparingTo("0.30");
        assertThat(monthTally(agent).spent()).isEqualTo(300_000);
    }

    @Test
    void unbelievableTokenCountsAreIgnoredAndTheConfiguredCostIsCharged() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        assertThat(settle(agent, org, "{\"input_tokens\": -5, \"output_tokens\": 100000001}"))
                .isEqualByComparingTo("0.05");
        // a believable count next to an unbelievable one is priced alone: 0.00003 × 100,000,000 + 0.001
        assertThat(settle(agent, org, "{\"input_tokens\": -5, \"output_tokens\": 100000000}"))
                .isEqualByComparingTo("3000.001");
    }

    @Test
    void aFailedCallWithTokensIsChargedNothing() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "").extract().path("reservation_id");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_FAILED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}",
                        "{\"cost_usd\": 0, \"input_tokens\": 1000, \"output_tokens\": 500}"));
        Ledger.awaitStatus(reservation, "settled");
        assertThat((BigDecimal) Ledger.reservation(reservation).get("actual_usd")).isEqualByComparingTo("0");
    }

    @Test
    void aCallWhoseOutcomeTheGatewayLostIsChargedItsEstimate() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "").extract().path("reservation_id");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_FAILED, org, invocation,
                Ledger.invocationEvent(invocation, org, agent,
                        "{\"decision\": \"ALLOW\", \"reservation_id\": \"" + reservation + "\"}",
                        "{\"error_code\": \"" + InvocationEvent.OUTCOME_UNKNOWN + "\"}"));
        Ledger.awaitStatus(reservation, "settled");
        Map<String, Object> row = Ledger.reservation(reservation);
        assertThat((BigDecimal) row.get("actual_usd")).as("the agent may have acted: no release")
                .isPositive().isEqualByComparingTo((BigDecimal) row.get("estimate_usd"));
    }

    @Test
    void tokenRatesAreStoredExactlyShownAndValidated() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "");
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(200)
                .body("budget.input_token_rate", equalTo(0.00001f))
                .body("budget.output_token_rate", equalTo(0.00003f))
                .body("budget.base_invocation_cost", equalTo(0.001f));
        as(org, "developer").body("""
                {"budget": {"input_token_rate": 0.00000015, "output_token_rate": 0.000000000001,
                 "base_invocation_cost": 0}}
                """).when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(200)
                .body("budget.input_token_rate", equalTo(0.00000015f))
                .body("budget.output_token_rate", equalTo(0.000000000001f))
                .body("budget.base_invocation_cost", equalTo(0.0f));
        assertThat(Ledger.row("select input_token_rate, output_token_rate from agent_governance where agent_id = ?",
                agent)).containsEntry("input_token_rate", new BigDecimal("0.000000150000"))
                .containsEntry("output_token_rate", new BigDecimal("0.000000000001"));
        as(org, "developer").body("{\"output_token_rate\": 0.00003}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200).body("budget.output_token_rate", equalTo(0.00003f));

        for (String field : List.of("input_token_rate", "output_token_rate", "base_invocation_cost")) {
            for (String value : List.of("-0.00001", "NaN", "1e400", "\"0.00001\"", "1e-999999999", "true")) {
                byte[] body = ("{\"budget\": {\"" + field + "\": " + value + "}}").getBytes(StandardCharsets.UTF_8);
                as(org, "developer").body(body).when().patch("/api/v1/external-agents/" + agent + "/governance")
                        .then().statusCode(400).contentType("application/problem+json")
                        .body("error_code", equalTo("VALIDATION_ERROR"))
                        .body("request_id", notNullValue());
            }
        }
        as(org, "developer").body("{\"input_token_rate\": 1.5}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("field", equalTo("input_token_rate"))
                .body("detail", equalTo("input_token_rate must be between 0 and 1 USD per token"));
        as(org, "developer").body("{\"input_token_rate\": 0.0000000000001}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("detail", equalTo("input_token_rate must have at most 12 decimal places"));
        as(org, "developer").body("{\"base_invocation_cost\": 0.0000001}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("detail", equalTo("base_invocation_cost must have at most 6 decimal places"));
        // registry's forwarding is held to the same rules
        internal().body("{\"organization_id\": \"" + org + "\", \"output_token_rate\": -1}")
                .when().put("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(400).body("field", equalTo("output_token_rate"));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(200).body("budget.input_token_rate", equalTo(0.00000015f));
    }
}
