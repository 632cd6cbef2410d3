package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.metrics.MetricNames;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * The governance metrics of original-spec §9.5 on {@code /q/metrics}, after real decisions against Redis and
 * PostgreSQL: denials by policy, rate limit and budget, the rate limiter's checks, the agent's budget usage, USD left,
 * rate-limit remainder and calls allowed today (dropped when the agent is deleted), settlements above their
 * reservation, the decision and policy timers, and {@code redis_up} following Redis stopped and started again.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class GovernanceMetricsTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 10000,"
            + " \"requests_per_day\": 100000";

    @Test
    void denialsChecksAndTimersAreCountedFromTheDecisions() {
        String org = newOrg();
        double policyDenials = metric(MetricNames.total(MetricNames.POLICY_DENIALS));
        double exceeded = metric(MetricNames.total(MetricNames.RATE_LIMIT_EXCEEDED), "window", "minute");
        double budgetDenials = metric(MetricNames.total(MetricNames.BUDGET_DENIALS), "scope", "daily");
        double checks = metric(MetricNames.total(MetricNames.RATE_LIMIT_CHECKS));
        double decisions = metric(MetricNames.seconds(MetricNames.GOVERNANCE_CHECK_LATENCY, "count"));
        double evaluations = metric(MetricNames.seconds(MetricNames.POLICY_EVALUATION_TIME, "count"));

        // a rate-limited call: the second of a one-per-minute agent
        String limited = newAgent();
        settings(limited, org, "\"requests_per_minute\": 1");
        decide(limited, org, "").body("outcome", equalTo("ALLOW"));
        decide(limited, org, "").body("outcome", equalTo("DENY_RATE"));
        // a budget denial: an estimate above the daily budget
        String poor = newAgent();
        settings(poor, org, UNLIMITED_RATE + ", \"max_daily_cost\": 0.10");
        decide(poor, org, "\"estimated_cost\": 0.50").body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.scope", equalTo("daily"));
        // a policy denial: the organisation denies everything
        String denied = newAgent();
        settings(denied, org, "");
        as(org, "org_admin").body("{\"name\": \"block all\", \"effect\": \"deny\"}").when().post("/api/v1/policies")
                .then().statusCode(201);
        decide(denied, org, "").body("outcome", equalTo("DENY_POLICY"));

        assertThat(metric(MetricNames.total(MetricNames.POLICY_DENIALS))).isEqualTo(policyDenials + 1);
        assertThat(metric(MetricNames.total(MetricNames.RATE_LIMIT_EXCEEDED), "window", "minute"))
                .isEqualTo(exceeded + 1);
        assertThat(metric(MetricNames.total(MetricNames.BUDGET_DENIALS), "scope", "daily"))
                .isEqualTo(budgetDenials + 1);
        // the policy denial never reached the rate limiter
        assertThat(metric(MetricNames.total(MetricNames.RATE_LIMIT_CHECKS))).isEqualTo(checks + 3);
        assertThat(metric(MetricNames.seconds(MetricNames.GOVERNANCE_CHECK_LATENCY, "count"))).isEqualTo(decisions + 4);
        assertThat(metric(MetricNames.seconds(MetricNames.GOVERNANCE_CHECK_LATENCY, "sum"))).isPositive();
        assertThat(metric(MetricNames.seconds(MetricNames.POLICY_EVALUATION_TIME, "count"))).isEqualTo(evaluations + 4);
        // the limited agent's remainder is the one its denial reported
        assertThat(agentMetric(MetricNames.RATE_LIMIT_REMAINING, limited)).hasValue(0);
    }

    @Test
    void theAgentsBudgetUsageAndRemainderAreItsLastDecisionsAndGoWithTheAgent() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 5, \"requests_per_hour\": 1000, \"requests_per_day\": 5000,"
                + " \"max_daily_cost\": 2.00, \"max_monthly_cost\": 100");
        decide(agent, org, "\"estimated_cost\": 0.50").body("outcome", equalTo("ALLOW"))
                .body("budget.scope", equalTo("daily")).body("budget.usage_percentage", equalTo(0.25f))
                .body("rate_limit.remaining", equalTo(4));
        assertThat(agentMetric(MetricNames.BUDGET_USAGE, agent)).hasValue(0.25);
        assertThat(agentMetric(MetricNames.RATE_LIMIT_REMAINING, agent)).hasValue(4);
        assertThat(agentMetric(MetricNames.BUDGET_REMAINING, agent)).hasValue(1.5);
        assertThat(agentMetric(MetricNames.DAILY_EXECUTIONS, agent)).hasValue(1);

        decide(agent, org, "\"estimated_cost\": 1.00").body("outcome", equalTo("ALLOW"))
                .body("budget.usage_percentage", equalTo(0.75f));
        assertThat(agentMetric(MetricNames.BUDGET_USAGE, agent)).hasValue(0.75);
        assertThat(agentMetric(MetricNames.RATE_LIMIT_REMAINING, agent)).hasValue(3);
        assertThat(agentMetric(MetricNames.BUDGET_REMAINING, agent)).hasValue(0.5);
        assertThat(agentMetric(MetricNames.DAILY_EXECUTIONS, agent)).hasValue(2);

        // a denied call is no execution; the budget it was refused by has what the last allowed call left
        decide(agent, org, "\"estimated_cost\": 1.00").body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.scope", equalTo("daily"));
        assertThat(agentMetric(MetricNames.DAILY_EXECUTIONS, agent)).hasValue(2);
        assertThat(agentMetric(MetricNames.BUDGET_REMAINING, agent)).hasValue(0.5);

        // registry deletes the agent: its series go, no label of a deleted agent stays behind
        String event = PrefixedId.next(PrefixedId.EVENT);
        Instant now = Instant.now();
        Ledger.publish("kaizen.agents.v1", new CloudEvent(event, "/kaizen/registry-service", EventTypes.AGENT_DELETED,
                agent, org, now, """
                        {"agent_id": "%s", "organization_id": "%s", "name": "Bot", "platform": "custom_http",
                         "status": "deleted", "actor": "u1", "occurred_at": "%s"}
                        """.formatted(agent, org, now)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(agentMetric(MetricNames.BUDGET_USAGE, agent)).isEmpty();
            assertThat(agentMetric(MetricNames.RATE_LIMIT_REMAINING, agent)).isEmpty();
            assertThat(agentMetric(MetricNames.BUDGET_REMAINING, agent)).isEmpty();
            assertThat(agentMetric(MetricNames.DAILY_EXECUTIONS, agent)).isEmpty();
        });
    }

    @Test
    void aSettlementThatChargesMoreThanWasReservedIsAnOverspendCountedOnce() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE + ", \"max_daily_cost\": 10");
        double overspends = metric(MetricNames.total(MetricNames.BUDGET_OVERSPEND));
        String over = decide(agent, org, "\"estimated_cost\": 0.05").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        String within = decide(agent, org, "\"estimated_cost\": 0.05").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");

        settle(within, "0.05").statusCode(200);
        assertThat(metric(MetricNames.total(MetricNames.BUDGET_OVERSPEND))).isEqualTo(overspends);
        settle(over, "0.08").statusCode(200);
        assertThat(metric(MetricNames.total(MetricNames.BUDGET_OVERSPEND))).isEqualTo(overspends + 1);
        // settled already: refused, and not counted again
        settle(over, "0.09").statusCode(409);
        assertThat(metric(MetricNames.total(MetricNames.BUDGET_OVERSPEND))).isEqualTo(overspends + 1);
    }

    private static ValidatableResponse settle(String reservation, String cost) {
        return internal().body("{\"cost_usd\": " + cost + "}").when()
                .post("/internal/v1/reservations/" + reservation + "/settle").then();
    }

    @Test
    void redisUpFollowsRedis() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(metric(MetricNames.REDIS_UP)).isEqualTo(1));
        DevStackTestResource.stack().stopRedis();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(metric(MetricNames.REDIS_UP)).isEqualTo(0));
        } finally {
            DevStackTestResource.stack().startRedis();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(metric(MetricNames.REDIS_UP)).isEqualTo(1));
    }

    @Test
    void everyGovernanceSeriesIsScraped() {
        decide(newAgent(), newOrg(), "").body("outcome", equalTo("ALLOW"));
        String text = scrape();
        for (String series : new String[] {MetricNames.total(MetricNames.POLICY_DENIALS),
                MetricNames.total(MetricNames.RATE_LIMIT_CHECKS), MetricNames.total(MetricNames.RATE_LIMIT_FAIL_OPEN),
                MetricNames.seconds(MetricNames.GOVERNANCE_CHECK_LATENCY, "bucket"),
                MetricNames.seconds(MetricNames.POLICY_EVALUATION_TIME, "bucket"), MetricNames.REDIS_UP,
                MetricNames.total(MetricNames.BUDGET_OVERSPEND), MetricNames.BUDGET_USAGE,
                MetricNames.BUDGET_REMAINING, MetricNames.DAILY_EXECUTIONS, MetricNames.RATE_LIMIT_REMAINING}) {
            assertThat(text).as(series).containsPattern("(?m)^" + Pattern.quote(series) + "[{ ]");
        }
    }

    private static String scrape() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of a series with the given label, or of the series without labels; 0 when absent. */
    /** A series' value; a sample may end with an exemplar (" # {trace_id=…} …") when recorded in a traced request. */
    static double metric(String name, String... label) {
        String labels = label.length == 0 ? "(?:\\{[^}]*\\})?"
                : "\\{[^}]*" + Pattern.quote(label[0] + "=\"" + label[1] + "\"") + "[^}]*\\}";
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + labels + " (\\S+)(?: #.*)?$").matcher(scrape());
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /** An agent's gauge, if it has one. */
    private static OptionalDouble agentMetric(String name, String agent) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*agent_id=\"" + Pattern.quote(agent)
                + "\"[^}]*\\} (\\S+)(?: #.*)?$").matcher(scrape());
        return matcher.find() ? OptionalDouble.of(Double.parseDouble(matcher.group(1))) : OptionalDouble.empty();
    }
}
