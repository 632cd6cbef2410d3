package io.kaizen.system;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

/**
 * Governance fields given to registry reach governance before the agent change commits, so the very next
 * invocation is decided under them.
 */
class AgentGovernanceWriteThroughIT {

    private final Suite suite = Suite.get();

    @Test
    void limitsSetAtRegistrationAndByPatchApplyToTheNextInvocation() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = suite.as(token).body("""
                {"name": "Governed Bot", "platform": "custom_http", "endpoint_url": "%s/governed",
                 "requests_per_minute": 2, "max_monthly_cost": 25.50}
                """.formatted(suite.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201)
                .body("requests_per_minute", equalTo(2))
                .body("max_monthly_cost", equalTo(25.5f))
                .extract().path("id");
        String invoke = "/api/v1/external-agents/" + agentId + "/invoke";

        suite.invoking(token).body("{\"input\": \"one\"}").when().post(invoke)
                .then().statusCode(200).header("X-RateLimit-Limit", "2").header("X-RateLimit-Remaining", "1");
        suite.invoking(token).body("{\"input\": \"two\"}").when().post(invoke).then().statusCode(200);
        suite.invoking(token).body("{\"input\": \"three\"}").when().post(invoke)
                .then().statusCode(429).body("limit", equalTo(2));

        suite.as(token).body("{\"requests_per_minute\": 5}").when().patch("/api/v1/external-agents/" + agentId)
                .then().statusCode(200).body("requests_per_minute", equalTo(5));
        suite.invoking(token).body("{\"input\": \"four\"}").when().post(invoke)
                .then().statusCode(200).header("X-RateLimit-Limit", "5").header("X-RateLimit-Remaining", "2");

        // a partial patch of one field leaves the others as they were
        suite.as(token).when().get("/api/v1/external-agents/" + agentId)
                .then().statusCode(200).body("requests_per_minute", equalTo(5)).body("max_monthly_cost", equalTo(25.5f));
    }

    @Test
    void budgetFieldsGivenToRegistryAreEnforcedAndMinusOneLiftsThem() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = suite.as(token).body("""
                {"name": "Metered Bot", "platform": "custom_http", "endpoint_url": "%s/metered",
                 "monthly_execution_limit": 1}
                """.formatted(suite.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).body("monthly_execution_limit", equalTo(1))
                .extract().path("id");
        String invoke = "/api/v1/external-agents/" + agentId + "/invoke";

        suite.invoking(token).body("{\"input\": \"first\"}").when().post(invoke).then().statusCode(200);
        suite.invoking(token).body("{\"input\": \"second\"}").when().post(invoke)
                .then().statusCode(402).contentType("application/problem+json")
                .body("error_code", equalTo("BUDGET_EXCEEDED"));

        // -1 lifts a limit; answers show unlimited as null
        suite.as(token).body("{\"monthly_execution_limit\": -1}").when().patch("/api/v1/external-agents/" + agentId)
                .then().statusCode(200).body("monthly_execution_limit", nullValue());
        suite.invoking(token).body("{\"input\": \"third\"}").when().post(invoke).then().statusCode(200);
    }

    @Test
    void governanceHoldsTheSettingsThatBothItsOwnApiAndTheAgentApiChange() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = suite.as(token).body("""
                {"name": "Shared Bot", "platform": "custom_http", "endpoint_url": "%s/shared",
                 "max_monthly_cost": 25.50}
                """.formatted(suite.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).body("max_daily_cost", equalTo(10.0f))
                .extract().path("id");

        suite.as(token).body("{\"monthly_budget_usd\": -1, \"daily_budget_usd\": 3}")
                .when().patch("/api/v1/external-agents/" + agentId + "/budget/config")
                .then().statusCode(200).body("budget_limit_monthly", nullValue()).body("budget_limit_daily", equalTo(3.0f));
        // a change of another field through the agent API leaves what governance's API set
        suite.as(token).body("{\"requests_per_minute\": 5}").when().patch("/api/v1/external-agents/" + agentId)
                .then().statusCode(200)
                .body("requests_per_minute", equalTo(5))
                .body("max_monthly_cost", nullValue())
                .body("max_daily_cost", equalTo(3.0f));
        suite.as(token).when().get("/api/v1/external-agents/" + agentId + "/governance")
                .then().statusCode(200)
                .body("budget.monthly_budget_usd", nullValue())
                .body("budget.daily_budget_usd", equalTo(3.0f))
                .body("rate_limit.requests_per_minute", equalTo(5));
        suite.as(token).when().get("/api/v1/external-agents/" + agentId)
                .then().statusCode(200).body("max_monthly_cost", nullValue()).body("max_daily_cost", equalTo(3.0f));
    }
}
