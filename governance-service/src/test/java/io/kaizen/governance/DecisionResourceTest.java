package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.outcome;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class DecisionResourceTest {

    @Test
    void exactlyTheLimitIsAllowedWhenRequestsArriveTogether() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "\"requests_per_minute\": 3, \"requests_per_hour\": 1000, \"requests_per_day\": 5000");
        settings(agent, org, "\"requests_per_minute\": 3, \"requests_per_hour\": 1000, \"requests_per_day\": 5000");

        List<String> results = GovernanceApi.together(10, () -> outcome(agent, org, ""));
        assertThat(results.stream().filter("ALLOW"::equals)).hasSize(3);
        assertThat(results.stream().filter("DENY_RATE"::equals)).hasSize(7);

        decide(agent, org, "")
                .body("outcome", equalTo("DENY_RATE"))
                .body("reason", equalTo("Rate limit exceeded: 3 requests per minute"))
                .body("reservation_id", nullValue())
                .body("rate_limit.window", equalTo("minute"))
                .body("rate_limit.limit", equalTo(3))
                .body("rate_limit.remaining", equalTo(0))
                .body("rate_limit.retry_after_seconds", notNullValue());
    }

    @Test
    void theAgentAndUserWindowLimitsOneUserWithoutTouchingOthers() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "");
        GovernanceApi.as(org, "org_admin").body("{\"rate_limit\": {\"user_requests_per_minute\": 2}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(200).body("rate_limit.user_requests_per_minute", equalTo(2));
        decide(agent, org, "\"user_id\": \"alice\"").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"user_id\": \"alice\"").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"user_id\": \"alice\"")
                .body("outcome", equalTo("DENY_RATE"))
                .body("reason", equalTo("Rate limit exceeded: 2 requests per minute for this user"))
                .body("rate_limit.window", equalTo("user_minute"));
        decide(agent, org, "\"user_id\": \"bob\"").body("outcome", equalTo("ALLOW"))
                .body("rate_limit.remaining", equalTo(1));
    }

    @Test
    void allowedDecisionsReportRemainingCostAndReservation() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "\"requests_per_minute\": 5");
        decide(agent, org, "")
                .body("outcome", equalTo("ALLOW"))
                .body("decision_id", startsWith("dec_"))
                .body("reservation_id", startsWith("res_"))
                .body("estimated_cost", equalTo(0.05f))
                .body("rate_limit.limit", equalTo(5))
                .body("rate_limit.remaining", equalTo(4))
                .body("rate_limit_fail_open", equalTo(false))
                .body("policy.effect", equalTo("allow"))
                .body("budget.scope", equalTo("daily"))
                .body("budget.limit", equalTo(10.0f))
                .body("budget.reserved", equalTo(0.05f))
                .body("approval_triggers", equalTo(List.of()));
    }

    @Test
    void agentsWithoutSettingsGetTheDefaults() {
        decide(newAgent(), newOrg(), "")
                .body("outcome", equalTo("ALLOW"))
                .body("rate_limit.limit", equalTo(10)).body("rate_limit.remaining", equalTo(9));
    }

    @Test
    void budgetsFailClosedAndRateLimitsFailOpenWhileRedisIsDown() {
        String limited = newAgent();
        String unlimited = newAgent();
        String org = newOrg();
        settings(limited, org, "\"requests_per_minute\": 1");
        settings(unlimited, org, "\"requests_per_minute\": 1, \"max_monthly_cost\": -1, \"max_daily_cost\": -1");
        DevStackTestResource.stack().stopRedis();
        try {
            decide(limited, org, "")
                    .body("outcome", equalTo("UNAVAILABLE"))
                    .body("reason", equalTo("Budget store unavailable"))
                    .body("rate_limit_fail_open", equalTo(true));
            // no budget to enforce: the rate limit fails open and the ledger still records the call
            for (int i = 0; i < 3; i++) {
                decide(unlimited, org, "")
                        .body("outcome", equalTo("ALLOW"))
                        .body("reservation_id", startsWith("res_"))
                        .body("rate_limit", nullValue())
                        .body("rate_limit_fail_open", equalTo(true));
            }
        } finally {
            DevStackTestResource.stack().startRedis();
        }
        decide(unlimited, org, "").body("outcome", equalTo("ALLOW")).body("rate_limit.remaining", equalTo(0));
    }

    @Test
    void internalApiRefusesCallersWithoutTheServiceToken() {
        given().contentType(ContentType.JSON).body("{\"agent_id\": \"agt_x\", \"organization_id\": \"org_x\"}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(401).contentType("application/problem+json").body("error_code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void badDecisionRequestsAre400() {
        String agent = newAgent();
        internal().body("{\"organization_id\": \"org_x\"}").when().post("/internal/v1/decisions")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("agent_id and organization_id are required"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent + "\", \"estimated_cost\": -0.01}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("estimated_cost"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent + "\", \"tokens\": \"many\"}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("detail", equalTo("Field 'tokens' has the wrong type"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent
                + "\", \"roles\": [\"admin\", null]}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("roles"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent + "\", \"tags\": [null]}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("tags"));
        internal().body("{\"organization_id\": \"org_\\u0000\", \"agent_id\": \"" + agent + "\"}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("detail", equalTo("Field 'organization_id' has an invalid value"));
        // longer than the ledger stores: refused before anything is journalled
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"agt_" + "x".repeat(100) + "\"}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("agent_id"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent + "\", \"user_id\": \""
                + "u".repeat(256) + "\"}").when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("user_id"));
        internal().body("{\"organization_id\": \"org_x\", \"agent_id\": \"" + agent + "\", \"invocation_id\": \""
                + "i".repeat(65) + "\"}").when().post("/internal/v1/decisions")
                .then().statusCode(400).body("field", equalTo("invocation_id"));
        internal().body("{\"agent_ids\": [\"agt_\\u0000\"]}").when().post("/internal/v1/agents/usage")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void settingsAreValidated() {
        internal().body("{\"organization_id\": \"org_x\", \"requests_per_minute\": -1}")
                .when().put("/internal/v1/agents/" + newAgent() + "/governance")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("requests_per_minute must be at least 0"))
                .body("field", equalTo("requests_per_minute"));
        internal().body("{\"organization_id\": \"org_x\", \"max_monthly_cost\": 0.0000001}")
                .when().put("/internal/v1/agents/" + newAgent() + "/governance")
                .then().statusCode(400).body("detail", equalTo("monthly_budget_usd must have at most 6 decimal places"));
        internal().body("{\"requests_per_minute\": 5}")
                .when().put("/internal/v1/agents/" + newAgent() + "/governance")
                .then().statusCode(400).body("error_code", equalTo("VALIDATION_ERROR"));
    }

    @Test
    void settingsAreIdempotentAndAnsweredWithEffectiveValues() {
        String agent = newAgent();
        String org = newOrg();
        for (int i = 0; i < 2; i++) {
            internal().body("{\"organization_id\": \"" + org + "\", \"max_monthly_cost\": 250.5, \"requests_per_hour\": 40}")
                    .when().put("/internal/v1/agents/" + agent + "/governance")
                    .then().statusCode(200)
                    .body("max_monthly_cost", equalTo(250.5f))
                    .body("max_daily_cost", equalTo(10.0f))
                    .body("cost_per_execution", equalTo(0.05f))
                    .body("requests_per_minute", equalTo(10))
                    .body("requests_per_hour", equalTo(40));
        }
        internal().body("{\"organization_id\": \"org_other\"}")
                .when().put("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(409);
    }

    @Test
    void aForwardedChangeSetsOnlyItsFieldsAndAnswersUnlimitedAsNull() {
        String agent = newAgent();
        String org = newOrg();
        internal().body("{\"organization_id\": \"" + org + "\", \"max_monthly_cost\": 25, \"requests_per_minute\": 2}")
                .when().put("/internal/v1/agents/" + agent + "/governance").then().statusCode(200)
                .body("monthly_execution_limit", nullValue());
        // a governance admin changes the daily budget; then registry forwards a change of another field
        as(org, "org_admin").body("{\"daily_budget_usd\": 3}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(200);
        internal().body("{\"organization_id\": \"" + org + "\", \"requests_per_minute\": 5, \"max_daily_cost\": null}")
                .when().patch("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(200)
                .body("requests_per_minute", equalTo(5))
                .body("max_monthly_cost", equalTo(25.0f))
                .body("max_daily_cost", equalTo(3.0f));
        internal().body("{\"organization_id\": \"" + org + "\", \"max_monthly_cost\": -1}")
                .when().patch("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(200)
                .body("max_monthly_cost", nullValue())
                .body("max_daily_cost", equalTo(3.0f))
                .body("requests_per_minute", equalTo(5));
        internal().body("{\"agent_ids\": [\"" + agent + "\"]}").when().post("/internal/v1/agents/usage")
                .then().statusCode(200)
                .body("items[0].settings.max_monthly_cost", nullValue())
                .body("items[0].settings.max_daily_cost", equalTo(3.0f));
        internal().body("{\"organization_id\": \"org_other\", \"requests_per_minute\": 1}")
                .when().patch("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(409);
    }
}
