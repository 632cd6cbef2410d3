package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an invocation reserves and is charged, end to end: never less than the agent's configured cost, whatever the
 * caller estimates; what the agent reports, overage included; the price of the token counts it reports; nothing
 * for a call the gateway cannot deliver.
 */
class InvokeChargeIT {

    private final Suite suite = Suite.get();

    @AfterEach
    void resetSink() {
        suite.stack.sink().reset();
    }

    private String register(String token, String name, String governance) {
        return suite.as(token).body("""
                {"name": "%s", "platform": "custom_http", "endpoint_url": "%s/agents/%s", %s}
                """.formatted(name, suite.stack.sinkUrl(), name.replace(' ', '-'), governance))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");
    }

    private void awaitBudget(String token, String agentId, float used, int invocations) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/external-agents/" + agentId + "/budget")
                .then().statusCode(200)
                .body("cost_used", equalTo(used))
                .body("cost_reserved", equalTo(0.0f))
                .body("invocations", equalTo(invocations)));
    }

    @Test
    void aCallerEstimateOfZeroLowersNeitherTheReservationNorTheCharge() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Estimated Bot", "\"max_monthly_cost\": 0.10, \"cost_per_execution\": 0.05");
        String invoke = "/api/v1/external-agents/" + agentId + "/invoke";

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var response = suite.invoking(token).body("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": 0}}")
                    .when().post(invoke).then().extract().response();
            statuses.add(response.statusCode());
            if (response.statusCode() == 200) {
                assertThat(response.header("X-Kaizen-Cost-USD")).isEqualTo("0.05");
            }
        }
        assertThat(statuses).containsExactly(200, 200, 402, 402, 402, 402);
        awaitBudget(token, agentId, 0.1f, 2);
    }

    @Test
    void anOverageTheAgentReportsIsCharged() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = register(token, "Costly Bot", "\"cost_per_execution\": 0.05");
        suite.stack.sink().respond(200, 0, "{\"output\": \"done\", \"cost_usd\": 0.30}", 1);

        suite.invoking(token).body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).header("X-Kaizen-Cost-USD", "0.3").body("metadata.cost_usd", equalTo(0.3f));
        awaitBudget(token, agentId, 0.3f, 1);
    }

    @Test
    void tokensTheAgentReportsAreChargedAtTheAgentsRates() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String reference = register(token, "Token Bot", "\"cost_per_execution\": 0.05");
        String own = register(token, "Dear Token Bot", "\"cost_per_execution\": 0.05, \"input_token_rate\": 0.00002,"
                + " \"output_token_rate\": 0.00004, \"base_invocation_cost\": 0.002");
        suite.as(token).when().get("/api/v1/external-agents/" + own).then().statusCode(200)
                .body("input_token_rate", equalTo(0.00002f)).body("base_invocation_cost", equalTo(0.002f));
        String answer = "{\"output\": \"done\", \"usage\": {\"input_tokens\": 1000, \"output_tokens\": 500}}";

        // 1,000 × 0.00001 + 500 × 0.00003 + 0.001 at the reference rates, 0.02 + 0.02 + 0.002 at the agent's own
        suite.stack.sink().respond(200, 0, answer, 1);
        suite.invoking(token).body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + reference + "/invoke")
                .then().statusCode(200).header("X-Kaizen-Cost-USD", "0.026")
                .body("metadata.cost_usd", equalTo(0.026f)).body("metadata.tokens_used", equalTo(1500));
        suite.stack.sink().respond(200, 0, answer, 1);
        suite.invoking(token).body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + own + "/invoke")
                .then().statusCode(200).header("X-Kaizen-Cost-USD", "0.042").body("metadata.cost_usd", equalTo(0.042f));
        awaitBudget(token, reference, 0.026f, 1);
        awaitBudget(token, own, 0.042f, 1);
    }

    @Test
    void malformedEstimatesAreRefusedWithProblems() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String invoke = "/api/v1/external-agents/" + suite.registerAgent(token, "Strict Estimate Bot") + "/invoke";
        for (String estimate : List.of("1e400", "NaN", "-1", "\"0.05\"")) {
            suite.invoking(token).body(("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": " + estimate + "}}")
                    .getBytes(StandardCharsets.UTF_8)).when().post(invoke)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"));
        }
    }

    @Test
    void aCallToAnAgentThatIsNotActiveReservesAndCountsNothing() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = suite.registerAgent(token, "Paused Bot");
        suite.as(token).body("{\"status\": \"inactive\"}").when().patch("/api/v1/external-agents/" + agentId)
                .then().statusCode(200);

        suite.invoking(token).body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(409).contentType("application/problem+json");

        suite.as(token).when().get("/api/v1/external-agents/" + agentId + "/governance-status")
                .then().statusCode(200).body("rate_limit.current_usage.minute", equalTo(0));
        suite.as(token).when().get("/api/v1/external-agents/" + agentId + "/budget")
                .then().statusCode(200).body("cost_reserved", equalTo(0.0f)).body("cost_used", equalTo(0.0f));
    }
}
