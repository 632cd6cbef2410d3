package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class PolicyResourceTest {

    private static String create(String org, String body) {
        return as(org, "org_admin").body(body).when().post("/api/v1/policies")
                .then().statusCode(201).extract().path("id");
    }

    @Test
    void policiesAreCreatedReadListedVersionedAndDeleted() throws Exception {
        String org = newOrg();
        String id = as(org, "org_admin").body("""
                {"name": "block_development", "description": "no dev agents", "effect": "deny", "priority": 1,
                 "conditions": [{"type": "environment", "environments": ["development"]}]}
                """).when().post("/api/v1/policies")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/policies/pol_"))
                .body("id", startsWith("pol_"))
                .body("organization_id", equalTo(org))
                .body("effect", equalTo("deny"))
                .body("priority", equalTo(1))
                .body("enabled", equalTo(true))
                .body("match", equalTo("all"))
                .body("version", equalTo(1))
                .body("conditions[0].environments", contains("development"))
                .extract().path("id");
        create(org, "{\"name\": \"allow_all\", \"effect\": \"allow\"}");

        as(org, "viewer").when().get("/api/v1/policies?limit=1")
                .then().statusCode(200)
                .body("total", equalTo(2)).body("page", equalTo(1)).body("limit", equalTo(1))
                .body("has_more", equalTo(true)).body("items[0].id", equalTo(id));

        as(org, "org_admin").body("{\"priority\": 5}").when().patch("/api/v1/policies/" + id)
                .then().statusCode(200).body("version", equalTo(2)).body("priority", equalTo(5))
                .body("name", equalTo("block_development"));
        as(org, "org_admin").body("{\"priority\": 5}").when().patch("/api/v1/policies/" + id)
                .then().statusCode(200).body("version", equalTo(2));

        as(newOrg(), "org_admin").when().get("/api/v1/policies/" + id).then().statusCode(404);
        as(org, "viewer").body("{\"priority\": 7}").when().patch("/api/v1/policies/" + id).then().statusCode(403);
        as(org, "org_admin").when().delete("/api/v1/policies/" + id).then().statusCode(204);
        as(org, "viewer").when().get("/api/v1/policies/" + id).then().statusCode(404);
        assertThat(Ledger.outboxTypes(id)).containsExactly(EventTypes.POLICY_CREATED, EventTypes.POLICY_UPDATED,
                EventTypes.POLICY_DELETED);
    }

    @Test
    void badPoliciesAre400NamingTheFieldAndDuplicateNames409() {
        String org = newOrg();
        as(org, "org_admin").body("""
                {"name": "hours", "effect": "allow", "conditions": [{"type": "time_window", "start_time": "09:00",
                 "end_time": "17:00", "timezone": "Europe/Atlantis"}]}
                """).when().post("/api/v1/policies")
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("field", equalTo("conditions[0].timezone"))
                .body("detail", equalTo("conditions[0].timezone 'Europe/Atlantis' is not an IANA time zone"));
        as(org, "org_admin").body("{\"name\": \"x\", \"effect\": \"allow\", \"colour\": \"red\"}")
                .when().post("/api/v1/policies").then().statusCode(400).body("detail", equalTo("Unknown field 'colour'"));
        as(org, "org_admin").body("{\"effect\": \"allow\"}").when().post("/api/v1/policies")
                .then().statusCode(400).body("field", equalTo("name"));
        as(org, "org_admin").body("{\"name\": \"x\", \"effect\": \"allow\", \"priority\": -1}")
                .when().post("/api/v1/policies").then().statusCode(400).body("field", equalTo("priority"));
        as(org, "org_admin").body("not json").when().post("/api/v1/policies").then().statusCode(400);
        create(org, "{\"name\": \"Unique\", \"effect\": \"allow\"}");
        as(org, "org_admin").body("{\"name\": \"unique\", \"effect\": \"deny\"}").when().post("/api/v1/policies")
                .then().statusCode(409).body("error_code", equalTo("CONFLICT"));
        String other = create(org, "{\"name\": \"Other\", \"effect\": \"allow\"}");
        as(org, "org_admin").body("{\"name\": \"UNIQUE\"}").when().patch("/api/v1/policies/" + other)
                .then().statusCode(409).body("field", equalTo("name"));
        as(org, "viewer").when().get("/api/v1/policies/" + other).then().statusCode(200).body("name", equalTo("Other"))
                .body("version", equalTo(1));
        as(org, "viewer").when().get("/api/v1/policies/pol_nonsense").then().statusCode(404);
    }

    @Test
    void aDenyingPolicyStopsTheDecisionBeforeRateAndBudget() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1");
        String policy = create(org, """
                {"name": "block_restricted_countries", "effect": "deny", "priority": 1,
                 "conditions": [{"type": "country", "countries": ["CN", "RU", "KP"]}]}
                """);
        create(org, "{\"name\": \"allow_everything_else\", \"effect\": \"allow\", \"priority\": 100}");
        for (int i = 0; i < 3; i++) {
            decide(agent, org, "\"country\": \"RU\"")
                    .body("outcome", equalTo("DENY_POLICY"))
                    .body("reason", equalTo("block_restricted_countries"))
                    .body("policy.policy_id", equalTo(policy))
                    .body("policy.matched_policies", hasSize(2))
                    .body("policy.policy_versions", hasSize(2))
                    .body("rate_limit", nullValue())
                    .body("reservation_id", nullValue());
        }
        // denied calls never took from the rate limit
        decide(agent, org, "\"country\": \"FR\"").body("outcome", equalTo("ALLOW"))
                .body("rate_limit.remaining", equalTo(0));
    }

    @Test
    void combiningStrategyAndDefaultEffectComeFromTheOrganisation() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 100");
        create(org, "{\"name\": \"deny_developers\", \"effect\": \"deny\", \"priority\": 10,"
                + " \"conditions\": [{\"type\": \"role\", \"roles\": [\"developer\"]}]}");
        String allow = create(org, "{\"name\": \"allow_team\", \"effect\": \"allow\", \"priority\": 20,"
                + " \"conditions\": [{\"type\": \"team\", \"teams\": [\"team-1\"]}]}");
        decide(agent, org, "\"team_id\": \"team-1\"").body("outcome", equalTo("DENY_POLICY"));

        as(org, "org_admin").body("{\"combining_strategy\": \"ALLOW_OVERRIDES\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200).body("combining_strategy", equalTo("ALLOW_OVERRIDES"))
                .body("default_effect", equalTo("deny"));
        decide(agent, org, "\"team_id\": \"team-1\"").body("outcome", equalTo("ALLOW"))
                .body("policy.policy_id", equalTo(allow));

        // neither applies: the organisation's default effect decides
        decide(agent, org, "\"team_id\": \"team-9\", \"roles\": [\"viewer\"]")
                .body("outcome", equalTo("DENY_POLICY"))
                .body("policy.default_effect_applied", equalTo(true))
                .body("reason", equalTo("no policy applies and the organisation's default effect is deny"));
        as(org, "org_admin").body("{\"default_effect\": \"allow\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200);
        decide(agent, org, "\"team_id\": \"team-9\", \"roles\": [\"viewer\"]").body("outcome", equalTo("ALLOW"));

        as(org, "org_admin").body("{\"combining_strategy\": \"BEST_GUESS\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(400).body("field", equalTo("combining_strategy"));
        as(org, "developer").body("{\"default_effect\": \"deny\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(403);
        assertThat(Ledger.outboxTypes(org)).containsExactly(EventTypes.GOVERNANCE_CONFIG_UPDATED,
                EventTypes.GOVERNANCE_CONFIG_UPDATED);
    }

    @Test
    void simulationExplainsWithoutSideEffects() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 2");
        String hours = create(org, """
                {"name": "business_hours_only", "effect": "deny", "priority": 5, "match": "any", "conditions": [
                  {"type": "attribute", "attribute": "time.hour", "op": "lt", "value": 9},
                  {"type": "attribute", "attribute": "time.hour", "op": "gte", "value": 17},
                  {"type": "attribute", "attribute": "time.weekday", "op": "in", "value": [5, 6]}]}
                """);
        for (int i = 0; i < 3; i++) {
            as(org, "viewer").body("{\"agent_id\": \"" + agent + "\", \"timestamp\": \"2025-06-14T12:00:00Z\"}")
                    .when().post("/api/v1/policies/simulate")
                    .then().statusCode(200)
                    .body("decision", equalTo("deny"))
                    .body("policy_id", equalTo(hours))
                    .body("combining_strategy", equalTo("DENY_OVERRIDES"))
                    .body("policies[0].applicable", equalTo(true))
                    .body("policies[0].conditions.matched", contains(false, false, true));
        }
        as(org, "viewer").body("{\"timestamp\": \"2025-06-11T12:00:00Z\"}").when().post("/api/v1/policies/simulate")
                .then().statusCode(200).body("decision", equalTo("deny"))
                .body("default_effect_applied", equalTo(true)).body("policy_id", nullValue())
                .body("policies[0].applicable", equalTo(false));
        as(org, "viewer").body("""
                {"timestamp": "2025-06-11T12:00:00Z", "roles": ["developer"],
                 "policies": [{"name": "draft", "effect": "allow", "conditions": [{"type": "role", "roles": ["admin"]}]}]}
                """).when().post("/api/v1/policies/simulate")
                .then().statusCode(200).body("decision", equalTo("deny"))
                .body("default_effect_applied", equalTo(true)).body("policies[0].policy_id", equalTo("draft_1"));
        as(org, "viewer").body("{\"policies\": [{\"name\": \"d\", \"effect\": \"allow\", \"conditions\": [{\"type\": \"ip\", \"cidrs\": [\"x\"]}]}]}")
                .when().post("/api/v1/policies/simulate")
                .then().statusCode(400).body("field", equalTo("policies[0].conditions[0].cidrs"));
        as(newOrg(), "viewer").body("{\"agent_id\": \"" + agent + "\"}").when().post("/api/v1/policies/simulate")
                .then().statusCode(404);
        // simulations took nothing from the rate limit
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().statusCode(200).body("rate_limit.current_usage.minute", equalTo(0))
                .body("rate_limit.remaining", equalTo(2));
    }

    @Test
    void aDraftTargetedAtAgentsOrTagsDoesNotApplyToASimulationThatNamesNone() {
        String org = newOrg();
        as(org, "viewer").body("""
                {"timestamp": "2025-06-11T12:00:00Z", "default_effect": "allow",
                 "policies": [{"name": "agents", "effect": "deny",
                               "target": {"agent_ids": ["agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF"]}},
                              {"name": "tags", "effect": "deny", "target": {"tags": ["finance"]}}]}
                """).when().post("/api/v1/policies/simulate")
                .then().statusCode(200).body("decision", equalTo("allow"))
                .body("policies.applicable", contains(false, false));
    }

    @Test
    void everyDenialLeavesAnAuditEventAndAnAllowNone() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1");
        decide(agent, org, "");
        decide(agent, org, "");
        // the events are journaled before each answer and group-committed moments later
        Ledger.flushJournal(agent);
        List<String> types = Ledger.outboxTypes(agent);
        // the allowed call's decision travels in its invocation event; the denial has its own
        assertThat(types).containsExactly(EventTypes.DECISION_DENIED);
        assertThat(Ledger.outboxPayloads(agent, EventTypes.DECISION_DENIED).get(0))
                .contains("\"outcome\":\"DENY_RATE\"", "\"window\":\"minute\"");
    }
}
