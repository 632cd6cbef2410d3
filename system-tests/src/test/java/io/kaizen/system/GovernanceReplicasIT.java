package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * Governance decides exactly when two replicas share Redis and PostgreSQL: budgets and rate limits admit exactly
 * their limit under a barrier, spread over both replicas. Exactness is checked on windows far longer than the
 * test; the replicas run with a 3-second "minute" window only so that the rollover test, which waits for the reset
 * a denial reports rather than for a fixed time, does not wait a minute.
 */
class GovernanceReplicasIT {

    private static final Suite SUITE = Suite.get();
    private static final String SHORT_MINUTE = "3s";
    private static final List<ServiceLauncher> REPLICAS = new ArrayList<>();
    private static final String OPEN_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 10000, \"requests_per_day\": 10000";

    @BeforeAll
    static void startTwoReplicas() {
        Map<String, String> config = Map.of("kaizen.governance.rate-limit.minute-window", SHORT_MINUTE);
        for (String name : List.of("a", "b")) {
            REPLICAS.add(ServiceLauncher.start(SUITE.stack, ProjectLayout.locate(), Service.GOVERNANCE,
                    Suite.freePort(), Path.of("target", "replica-logs", name).toAbsolutePath(), config));
        }
        REPLICAS.forEach(replica -> replica.awaitReady(ServiceLauncher.READY_TIMEOUT));
    }

    @AfterAll
    static void stopReplicas() {
        ServiceLauncher.stopAll(REPLICAS);
        // starting a replica pointed the router at it; the suite's own governance answers again
        SUITE.stack.registerService(Service.GOVERNANCE, URI.create(SUITE.serviceUrl(Service.GOVERNANCE)));
    }

    private static RequestSpecification replica(int i) {
        return given().baseUri(REPLICAS.get(i % 2).url())
                .header("X-Kaizen-Service-Token", SUITE.stack.serviceToken())
                .contentType(ContentType.JSON);
    }

    private static void settings(String agent, String org, String fields) {
        replica(0).body("{\"organization_id\": \"" + org + "\", " + fields + "}")
                .when().put("/internal/v1/agents/" + agent + "/governance").then().statusCode(200);
    }

    private static JsonPath decide(int replica, String agent, String org, String extra) {
        return replica(replica).body("{\"organization_id\": \"" + org + "\", \"agent_id\": \"" + agent
                        + "\", \"user_id\": \"u1\"" + (extra.isEmpty() ? "" : ", " + extra) + "}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(200).extract().jsonPath();
    }

    private static String newAgent() {
        return PrefixedId.next(PrefixedId.AGENT);
    }

    /** Runs {@code calls} decisions released together, alternating between the replicas. */
    private static List<JsonPath> together(int calls, String agent, String org, String extra) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls);
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            List<Future<JsonPath>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int replica = i;
                Callable<JsonPath> call = () -> {
                    barrier.await();
                    return decide(replica, agent, org, extra);
                };
                futures.add(pool.submit(call));
            }
            List<JsonPath> results = new ArrayList<>();
            for (Future<JsonPath> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }

    private static long count(List<JsonPath> decisions, String outcome) {
        return decisions.stream().filter(d -> outcome.equals(d.getString("outcome"))).count();
    }

    @Test
    void aBudgetForNExecutionsAdmitsExactlyNOfFiveTimesAsManyAcrossReplicas() throws Exception {
        int n = 6;
        String agent = newAgent();
        String org = Suite.newOrg();
        settings(agent, org, OPEN_RATE + ", \"max_monthly_cost\": 0.30, \"max_daily_cost\": -1, \"cost_per_execution\": 0.05");
        List<JsonPath> decisions = together(5 * n, agent, org, "");
        assertThat(count(decisions, "ALLOW")).isEqualTo(n);
        assertThat(count(decisions, "DENY_BUDGET")).isEqualTo(4 * n);
        for (JsonPath decision : decisions) {
            BigDecimal reserved = new BigDecimal(decision.getString("budget.reserved"));
            assertThat(reserved).isLessThanOrEqualTo(new BigDecimal("0.30"));
        }
        given().baseUri(REPLICAS.get(1).url()).auth().oauth2(SUITE.token(org, "viewer"))
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_reserved", equalTo(0.3f))
                .body("cost_remaining", equalTo(0.0f));
    }

    @Test
    void aRateLimitAdmitsExactlyItsLimitAcrossReplicas() throws Exception {
        // the hour window: a slow machine cannot see it roll over while the calls are still arriving
        int limit = 5;
        String agent = newAgent();
        String org = Suite.newOrg();
        settings(agent, org, "\"requests_per_minute\": 1000, \"requests_per_hour\": " + limit + ", \"requests_per_day\": 1000");
        List<JsonPath> decisions = together(5 * limit, agent, org, "\"estimated_cost\": 0");
        assertThat(count(decisions, "ALLOW")).isEqualTo(limit);
        assertThat(count(decisions, "DENY_RATE")).isEqualTo(4L * limit);

        JsonPath denied = decide(1, agent, org, "\"estimated_cost\": 0");
        assertThat(denied.getString("outcome")).isEqualTo("DENY_RATE");
        assertThat(denied.getString("reason")).isEqualTo("Rate limit exceeded: 5 requests per hour");
        assertThat(denied.getString("rate_limit.window")).isEqualTo("hour");
        assertThat(denied.getLong("rate_limit.remaining")).isZero();
        assertThat(denied.getLong("rate_limit.retry_after_seconds")).isBetween(1L, 3600L);
    }

    @Test
    void aFullWindowAdmitsAgainOnceTheResetItReportedHasPassed() {
        String agent = newAgent();
        String org = Suite.newOrg();
        settings(agent, org, "\"requests_per_minute\": 1, \"requests_per_hour\": 1000, \"requests_per_day\": 1000");
        // one call fills the (short) minute window and the next is denied; should the window roll over between
        // the two on a slow machine, the next attempt simply fills it again
        JsonPath denied = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> decide(0, agent, org, "\"estimated_cost\": 0"), d -> "DENY_RATE".equals(d.getString("outcome")));
        assertThat(denied.getString("rate_limit.window")).isEqualTo("minute");
        assertThat(denied.getLong("rate_limit.retry_after_seconds")).isPositive();
        Instant reset = Instant.parse(denied.getString("rate_limit.reset_at"));

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().isAfter(reset));
        JsonPath next = decide(1, agent, org, "\"estimated_cost\": 0");
        assertThat(next.getString("outcome")).isEqualTo("ALLOW");
        assertThat(next.getLong("rate_limit.remaining")).isZero();
    }

    @Test
    void spendingTheBudgetExactlyPassesOnOneReplicaAndACentMoreFailsOnTheOther() {
        String agent = newAgent();
        String org = Suite.newOrg();
        // a cent per execution: estimates above it set the reservation, and the last cent is the one too many
        settings(agent, org, OPEN_RATE + ", \"max_monthly_cost\": 2.00, \"max_daily_cost\": -1,"
                + " \"cost_per_execution\": 0.01");
        assertThat(decide(0, agent, org, "\"estimated_cost\": 1.25").getString("outcome")).isEqualTo("ALLOW");
        assertThat(decide(1, agent, org, "\"estimated_cost\": 0.75").getString("outcome")).isEqualTo("ALLOW");
        JsonPath over = decide(0, agent, org, "\"estimated_cost\": 0.01");
        assertThat(over.getString("outcome")).isEqualTo("DENY_BUDGET");
        assertThat(over.getString("reason")).isEqualTo("Monthly budget would be exceeded: $2.01 > $2.00");
    }

    @Test
    void theGatewayAnswers403ForAPolicyAnd402ForABudget() {
        String org = Suite.newOrg();
        String token = SUITE.token(org, "org_owner");
        String governance = SUITE.serviceUrl(Service.GOVERNANCE);
        String agentId = SUITE.registerAgent(token, "Governed Bot");
        given().baseUri(governance).auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"monthly_budget_usd\": 0.05, \"cost_per_execution\": 0.05}")
                .when().patch("/api/v1/external-agents/" + agentId + "/budget/config").then().statusCode(200);

        SUITE.invoking(token).body("{\"input\": \"first\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke").then().statusCode(200);
        SUITE.invoking(token).body("{\"input\": \"second\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(402)
                .contentType("application/problem+json")
                .body("error_code", equalTo("BUDGET_EXCEEDED"))
                .body("detail", equalTo("Budget limit exceeded: Monthly budget would be exceeded: $0.10 > $0.05"))
                .body("scope", equalTo("monthly"))
                .body("limit", equalTo(0.05f))
                .body("period", equalTo("monthly"))
                .body("invocation_id", containsString("inv_"))
                .header("X-Budget-Limit", "0.05")
                .header("X-Budget-Reset", containsString("-01T00:00:00Z"));

        String policy = given().baseUri(governance).auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"name\": \"no_copilot_sessions\", \"effect\": \"deny\", \"priority\": 1,"
                        + " \"conditions\": [{\"type\": \"attribute\", \"attribute\": \"user.id\", \"op\": \"eq\", \"value\": \"ext-user-7\"}]}")
                .when().post("/api/v1/policies").then().statusCode(201).extract().path("id");
        SUITE.invoking(token).body("{\"input\": \"third\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(403)
                .body("error_code", equalTo("POLICY_DENIED"))
                .body("detail", equalTo("Policy denied: no_copilot_sessions"))
                .body("policy_id", equalTo(policy))
                .body("matched_policies[0]", equalTo(policy));
    }
}
