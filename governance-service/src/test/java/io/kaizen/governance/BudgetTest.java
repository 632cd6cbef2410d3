package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.outcome;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.kaizen.governance.Ledger.dayTally;
import static io.kaizen.governance.Ledger.monthTally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetTallies.Line;
import io.kaizen.governance.budget.BudgetTallies.Rebuilt;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.inject.Inject;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class BudgetTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";

    @Inject
    RedisAPI redis;

    @Inject
    BudgetTallies tallies;

    @Inject
    MeterRegistry registry;

    private static String nextMonth() {
        return YearMonth.now(ZoneOffset.UTC).plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toString();
    }

    private static String reserve(String agent, String org, String estimate) {
        return decide(agent, org, "\"estimated_cost\": " + estimate).body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
    }

    /** A one-period tally made as a rebuild makes it: its reservations staged, then the tally created. */
    private void rebuild(String tag, List<BudgetPeriod> period, Rebuilt settled, Map<String, Long> outstanding,
            Instant now) {
        tallies.startStaging(tag, period).chain(() -> tallies.stage(tag, period, List.of(outstanding)))
                .chain(() -> tallies.create(tag, period, List.of(settled), now))
                .await().atMost(Duration.ofSeconds(10));
    }

    private static void settle(String reservation, String cost) {
        internal().body("{\"cost_usd\": " + cost + "}").when().post("/internal/v1/reservations/" + reservation + "/settle")
                .then().statusCode(200).body("status", equalTo("settled"));
    }

    @Test
    void reachingTheLimitExactlyIsAllowedAndACentMoreIsNot() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        String first = reserve(agent, org, "0.60");
        reserve(agent, org, "0.40");
        decide(agent, org, "\"estimated_cost\": 0.01")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("reason", equalTo("Monthly budget would be exceeded: $1.01 > $1.00"))
                .body("reservation_id", nullValue())
                .body("budget.scope", equalTo("monthly"))
                .body("budget.unit", equalTo("usd"))
                .body("budget.period", equalTo("monthly"))
                .body("budget.limit", equalTo(1.0f))
                .body("budget.spent", equalTo(0.0f))
                .body("budget.reserved", equalTo(1.0f))
                .body("budget.estimate", equalTo(0.01f))
                .body("budget.resets_at", equalTo(nextMonth()));

        // the first call cost a cent less than estimated: exactly one more cent fits
        settle(first, "0.59");
        reserve(agent, org, "0.01");
        assertThat(outcome(agent, org, "\"estimated_cost\": 0.01")).isEqualTo("DENY_BUDGET");
    }

    @Test
    void concurrentDecisionsNeverReserveBeyondTheLimit() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 0.20, \"max_daily_cost\": -1");
        List<String> outcomes = GovernanceApi.together(20, () -> outcome(agent, org, ""));
        assertThat(outcomes.stream().filter("ALLOW"::equals)).hasSize(4);
        assertThat(outcomes.stream().filter("DENY_BUDGET"::equals)).hasSize(16);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_reserved", equalTo(0.2f))
                .body("cost_used", equalTo(0.0f))
                .body("cost_remaining", equalTo(0.0f))
                .body("usage_percentage", equalTo(1.0f))
                .body("warning_triggered", equalTo(true));
    }

    @Test
    void executionLimitsCountInFlightCalls() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"monthly_execution_limit\": 3");
        List<String> outcomes = GovernanceApi.together(12, () -> outcome(agent, org, "\"estimated_cost\": 0.001"));
        assertThat(outcomes.stream().filter("ALLOW"::equals)).hasSize(3);
        decide(agent, org, "\"estimated_cost\": 0.001")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("reason", equalTo("Monthly execution limit reached: 3 / 3"))
                .body("budget.scope", equalTo("monthly_executions"))
                .body("budget.unit", equalTo("executions"));
    }

    @Test
    void aFlushedRedisIsRebuiltFromTheLedgerWithoutResettingTheBudget() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        settle(reserve(agent, org, "0.30"), "0.30");
        String outstanding = reserve(agent, org, "0.50");
        // answered decisions reach the ledger within moments; this Redis keeps nothing across a flush, so wait for it
        Ledger.flushJournal(agent);

        redis.flushallAndAwait(List.of());

        decide(agent, org, "\"estimated_cost\": 0.21")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.spent", equalTo(0.3f))
                .body("budget.reserved", equalTo(0.5f));
        reserve(agent, org, "0.20");
        // the rebuilt tally still holds the outstanding reservation, so settling it frees its estimate
        settle(outstanding, "0.10");
        reserve(agent, org, "0.40");
        assertThat(outcome(agent, org, "\"estimated_cost\": 0.01")).isEqualTo("DENY_BUDGET");
    }

    /**
     * A rebuild reads and stages an agent's outstanding reservations a page at a time (2 in the tests, 2,000 by
     * default), so one holding hundreds of thousands never has them all in the heap nor in one Redis call; the tally
     * appears whole, in one step, once every page is staged. A page that a rebuild which died half-way left behind
     * is not counted.
     */
    @Test
    void aRebuildOfManyOutstandingReservationsGoesPageByPageAndCountsNoAbandonedPage() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            held.add(reserve(agent, org, "0.10"));
        }
        Ledger.flushJournal(agent);
        redis.flushallAndAwait(List.of());
        // the staging hash of this month's tally (BudgetTallies: the tally's key and ':build'), as a dead rebuild left it
        String staged = BudgetTallies.agentTag(agent) + ":bud:" + BudgetPeriod.month(Instant.now()).key() + ":build";
        redis.hsetAndAwait(List.of(staged, "r:res_abandoned", "900000", "reserved", "900000", "rcount", "1"));

        decide(agent, org, "\"estimated_cost\": 0.31")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.reserved", equalTo(0.7f));
        assertThat(Ledger.monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(0, 700_000, 0, 7));
        assertThat(redis.existsAndAwait(List.of(staged)).toInteger()).isZero();

        // every reservation the pages staged is held: settling each frees its estimate
        for (String reservation : held) {
            settle(reservation, "0.00");
        }
        assertThat(outcome(agent, org, "\"estimated_cost\": 0.95")).isEqualTo("ALLOW");
    }

    @Test
    void aHerdOfDecisionsAfterAFlushedRedisRebuildsTheTalliesOnce() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        settle(reserve(agent, org, "0.30"), "0.30");
        reserve(agent, org, "0.50");
        Ledger.flushJournal(agent);
        redis.flushallAndAwait(List.of());
        double before = agentRebuilds();

        // every decision finds the tallies missing at once, as a hot agent's do after Redis restarted
        List<String> outcomes = GovernanceApi.together(20, () -> outcome(agent, org, "\"estimated_cost\": 0.01"));

        assertThat(outcomes).containsOnly("ALLOW");
        // one of them read the ledger; the others found the tallies it made instead of reading it again in turn
        assertThat(agentRebuilds() - before).isEqualTo(1.0);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_used", equalTo(0.3f))
                .body("cost_reserved", equalTo(0.7f));
    }

    private double agentRebuilds() {
        return registry.get("kaizen.governance.budget.rebuilds").tag("scope", "agent").counter().count();
    }

    @Test
    void settlementEventsSettleOnceHoweverOftenTheyArrive() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String reservation = reserve(agent, org, "0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String data = Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.07");
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        Ledger.publishInvocation(eventId, EventTypes.INVOCATION_COMPLETED, org, invocation, data);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.07f)).body("invocations", equalTo(1))
                .body("cost_reserved", equalTo(0.0f)));

        // the same event again, and a second event for the same reservation
        Ledger.publishInvocation(eventId, EventTypes.INVOCATION_COMPLETED, org, invocation, data);
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.09"));
        String marker = reserve(agent, org, "0.05");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_FAILED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "u1", marker, "0"));
        // events of one invocation are consumed in order: once the last is applied, the duplicates were seen
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("invocations", equalTo(2)));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_used", equalTo(0.07f)).body("cost_reserved", equalTo(0.0f));
        internal().body("{\"cost_usd\": 0.09}").when().post("/internal/v1/reservations/" + reservation + "/settle")
                .then().statusCode(409).body("status", equalTo("settled"));
        internal().body("{\"cost_usd\": 0.07}").when().post("/internal/v1/reservations/" + reservation + "/settle")
                .then().statusCode(200).body("actual_usd", equalTo(0.07f));
        internal().body("{\"cost_usd\": 0.07}").when().post("/internal/v1/reservations/res_unknown/settle")
                .then().statusCode(404);
    }

    @Test
    void thresholdsAreAnnouncedOncePerPeriod() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1");
        settle(reserve(agent, org, "0.85"), "0.85");
        assertThat(Ledger.outboxTypes(agent).stream().filter(EventTypes.BUDGET_THRESHOLD_CROSSED::equals)).hasSize(2);
        settle(reserve(agent, org, "0.05"), "0.05");
        settle(reserve(agent, org, "0.01"), "0.01");
        List<String> crossed = Ledger.outboxPayloads(agent, EventTypes.BUDGET_THRESHOLD_CROSSED);
        assertThat(crossed).hasSize(3);
        assertThat(crossed.get(0)).contains("\"threshold_percentage\":50", "\"scope\":\"monthly\"",
                "\"spent_usd\":0.85", "\"limit_usd\":1.00");
        assertThat(crossed.get(1)).contains("\"threshold_percentage\":75");
        assertThat(crossed.get(2)).contains("\"threshold_percentage\":90", "\"spent_usd\":0.90");
    }

    @Test
    void softEnforcementAllowsPastTheLimitAndSaysSo() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 0.05, \"max_daily_cost\": -1");
        as(org, "org_admin").body("{\"enforcement_mode\": \"soft\"}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(200);
        reserve(agent, org, "0.05");
        decide(agent, org, "\"estimated_cost\": 0.05")
                .body("outcome", equalTo("ALLOW"))
                .body("budget.scope", equalTo("monthly"))
                .body("budget.reserved", equalTo(0.1f))
                .body("budget.degraded_mode", equalTo(true))
                .body("budget.enforcement_mode", equalTo("soft"));
    }

    @Test
    void theOrganisationBudgetSpansItsAgents() {
        String org = newOrg();
        String first = newAgent();
        String second = newAgent();
        settings(first, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0");
        settings(second, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0");
        as(org, "org_admin").body("{\"monthly_budget_usd\": 0.10}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200).body("monthly_budget_usd", equalTo(0.1f));
        reserve(first, org, "0.05");
        reserve(second, org, "0.05");
        decide(first, org, "\"estimated_cost\": 0.01")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.scope", equalTo("organization_monthly"))
                .body("reason", equalTo("Organization monthly budget would be exceeded: $0.11 > $0.10"));
        // the denied call left nothing reserved on its agent's tallies, where it had been held before the
        // organisation refused it, nor on the organisation's
        assertThat(monthTally(BudgetTallies.agentTag(first))).isEqualTo(new Tally(0, 50_000, 0, 1));
        assertThat(monthTally(BudgetTallies.organizationTag(org))).isEqualTo(new Tally(0, 100_000, 0, 2));
    }

    @Test
    void budgetConfigurationIsStoredFieldByFieldAndValidated() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "");
        as(org, "developer").body("""
                {"monthly_budget_usd": 500, "daily_budget_usd": -1, "monthly_execution_limit": 1000,
                 "daily_execution_limit": 50, "cost_per_execution": 0.02, "warning_threshold": 0.7,
                 "degradation_threshold": 0.95, "enforcement_mode": "soft"}
                """).when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200)
                .body("message", equalTo("Budget configuration updated"))
                .body("external_agent_id", equalTo(agent))
                .body("budget_limit_monthly", equalTo(500.0f))
                .body("budget_limit_daily", nullValue())
                .body("current_usage.cost_used", equalTo(0.0f))
                .body("current_usage.invocations", equalTo(0));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance")
                .then().statusCode(200)
                .body("budget.monthly_budget_usd", equalTo(500.0f))
                .body("budget.daily_budget_usd", nullValue())
                .body("budget.monthly_execution_limit", equalTo(1000))
                .body("budget.daily_execution_limit", equalTo(50))
                .body("budget.cost_per_execution", equalTo(0.02f))
                .body("budget.warning_threshold", equalTo(0.7f))
                .body("budget.degradation_threshold", equalTo(0.95f))
                .body("budget.enforcement_mode", equalTo("soft"));
        as(org, "developer").body("{\"warning_threshold\": 1.5}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("field", equalTo("warning_threshold"))
                .body("detail", equalTo("warning_threshold must be between 0 and 1"));
        as(org, "developer").body("{\"enforcement_mode\": \"strict\"}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("detail", equalTo("enforcement_mode must be hard or soft"));
        as(org, "developer").body("{\"daily_budget_usd\": -2}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("detail", equalTo("daily_budget_usd must not be negative (-1 for unlimited)"));
        as(org, "viewer").body("{\"monthly_budget_usd\": 1}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(403);
        as(newOrg(), "org_owner").when().get("/api/v1/external-agents/" + agent + "/budget").then().statusCode(404);
        as(org, "viewer").when().get("/api/v1/external-agents/not-an-id/budget").then().statusCode(404);
    }

    @Test
    void governanceStatusShowsBudgetRatePolicyAndApproval() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "\"requests_per_minute\": 5, \"max_monthly_cost\": 2.00");
        settle(reserve(agent, org, "0.50"), "0.50");
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().statusCode(200)
                .body("external_agent_id", equalTo(agent))
                .body("organization_id", equalTo(org))
                .body("budget.monthly_budget_usd", equalTo(2.0f))
                .body("budget.monthly_spent_usd", equalTo(0.5f))
                .body("budget.remaining_monthly_usd", equalTo(1.5f))
                .body("budget.daily_budget_usd", equalTo(10.0f))
                .body("budget.daily_spent_usd", equalTo(0.5f))
                .body("budget.monthly_execution_count", equalTo(1))
                .body("budget.usage_percentage", equalTo(0.25f))
                .body("budget.warning_triggered", equalTo(false))
                .body("budget.degraded_mode", equalTo(false))
                .body("rate_limit.allowed", equalTo(true))
                .body("rate_limit.limit_exceeded", nullValue())
                .body("rate_limit.remaining", equalTo(4))
                .body("rate_limit.current_usage.minute", equalTo(1))
                .body("rate_limit.current_usage.hour", equalTo(1))
                .body("rate_limit.current_usage.day", equalTo(1))
                .body("policy.total_policies", equalTo(0))
                .body("policy.active_policies", hasSize(0))
                .body("approval.enabled", equalTo(false))
                .body("rate_limit_fail_open", equalTo(true));
    }

    @Test
    void registryGetsTheUsageOfAPageOfAgentsAtOnce() {
        String org = newOrg();
        String first = newAgent();
        String second = newAgent();
        settings(first, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 4.00");
        settings(second, org, UNLIMITED_RATE);
        settle(reserve(first, org, "1.00"), "1.00");
        internal().body("{\"agent_ids\": [\"" + first + "\", \"" + second + "\", \"agt_unknown\"]}")
                .when().post("/internal/v1/agents/usage")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("items.find { it.agent_id == '" + first + "' }.current_monthly_cost", equalTo(1.0f))
                .body("items.find { it.agent_id == '" + first + "' }.usage_percentage", equalTo(0.25f))
                .body("items.find { it.agent_id == '" + first + "' }.invocations_this_month", equalTo(1))
                .body("items.find { it.agent_id == '" + first + "' }.settings.max_monthly_cost", equalTo(4.0f))
                .body("items.find { it.agent_id == '" + second + "' }.current_monthly_cost", equalTo(0.0f))
                .body("items.find { it.agent_id == '" + second + "' }.settings.requests_per_minute", equalTo(1000));
        internal().body("{\"agent_ids\": null}").when().post("/internal/v1/agents/usage")
                .then().statusCode(400).body("field", equalTo("agent_ids"));
    }

    @Test
    void aFailingOrganisationReservationGivesBackTheAgentReservation() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        settle(reserve(agent, org, "0.05"), "0.05");
        as(org, "org_admin").body("{\"monthly_budget_usd\": 10}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200);
        // the organisation's tally is unusable (not a hash): its reservation fails after the agent's succeeded
        String orgTally = BudgetTallies.organizationTag(org) + ":bud:" + BudgetPeriod.month(Instant.now()).key();
        redis.setAndAwait(List.of(orgTally, "not a tally"));

        decide(agent, org, "").body("outcome", equalTo("UNAVAILABLE"))
                .body("reason", equalTo("Budget store unavailable"));

        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(50_000, 0, 1, 0));
        assertThat(dayTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(50_000, 0, 1, 0));
    }

    @Test
    void aReleaseReadsNoBodyWhateverContentTypeTheCallerNames() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String reservation = decide(agent, org, "").body("outcome", equalTo("ALLOW")).extract().path("reservation_id");

        internal().contentType("application/x-www-form-urlencoded").when()
                .post("/internal/v1/reservations/" + reservation + "/release")
                .then().statusCode(200).body("status", equalTo("released"));
        assertThat(Ledger.reservation(reservation)).containsEntry("status", "released");
    }

    @Test
    void aRefusalWithoutReservationIdReleasesWhatGovernanceReservedForTheInvocation() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = GovernanceApi.decide(invocation, agent, org, "").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");

        // the gateway gave up waiting for that decision: its refusal knows neither decision nor reservation
        Ledger.publishRefusal(invocation, org, agent);

        Ledger.awaitStatus(reservation, "released");
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(Tally.EMPTY);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_used", equalTo(0.0f)).body("cost_reserved", equalTo(0.0f))
                .body("invocations", equalTo(0));
    }

    @Test
    void aRefusalThatArrivesBeforeItsReservationIsCommittedStillReleasesIt() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        Ledger.publishRefusal(invocation, org, agent);
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.refused(invocation));

        // governance's late decision for the refused invocation is committed after the refusal
        String reservation = GovernanceApi.decide(invocation, agent, org, "").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");

        Ledger.awaitStatus(reservation, "released");
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(Tally.EMPTY);
    }

    @Test
    void aRefusalIsForgottenOnceTheReservationTimeoutHasPassed() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        Ledger.publishRefusal(invocation, org, agent);
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.refused(invocation));

        // past the reservation timeout every reservation of the refused call has been released: the row goes
        Ledger.ageRefusal(invocation);
        await().atMost(Duration.ofSeconds(60)).until(() -> !Ledger.refused(invocation));
    }

    @Test
    void aLateOutcomeCorrectsWhatTheSweeperChargedAtTheEstimate() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String completed = PrefixedId.next(PrefixedId.INVOCATION);
        String settled = GovernanceApi.decide(completed, agent, org, "\"estimated_cost\": 0.40")
                .extract().path("reservation_id");
        String refused = PrefixedId.next(PrefixedId.INVOCATION);
        String released = GovernanceApi.decide(refused, agent, org, "\"estimated_cost\": 0.20")
                .extract().path("reservation_id");
        Ledger.age(settled);
        Ledger.age(released);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(Ledger.reservation(settled)).containsEntry("status", "settled").containsEntry("swept", true);
            assertThat(Ledger.reservation(released)).containsEntry("status", "settled").containsEntry("swept", true);
        });
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(600_000, 0, 2, 0));

        // the real outcomes arrive: one call cost 0.10, the other was refused before delivery
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, completed,
                Ledger.invocationData(completed, org, agent, "u1", settled, "0.10"));
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_BLOCKED, org, refused,
                Ledger.invocationEvent(refused, org, agent, "{\"decision\": \"ALLOW\", \"decision_id\": \"dec_1\","
                        + " \"reservation_id\": \"" + released + "\"}", "{\"cost_usd\": 0}"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(Ledger.reservation(settled)).containsEntry("status", "settled").containsEntry("swept", false);
            assertThat(Ledger.reservation(released)).containsEntry("status", "released").containsEntry("swept", false);
        });
        assertThat((BigDecimal) Ledger.reservation(settled).get("actual_usd")).isEqualByComparingTo("0.10");
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.10");
        assertThat(Ledger.monthTotals(agent)).containsEntry("executions", 1L);
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(100_000, 0, 1, 0));
        assertThat(dayTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(100_000, 0, 1, 0));
        // a repeated outcome corrects nothing twice
        settle(settled, "0.10");
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(100_000, 0, 1, 0));
    }

    @Test
    void aTallyRebuiltWhileAReservationIsInFlightKeepsReservedExact() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1, \"cost_per_execution\": 0");
        String tag = BudgetTallies.agentTag(agent);
        Instant now = Instant.now();
        List<BudgetPeriod> periods = List.of(BudgetPeriod.month(now), BudgetPeriod.day(now));
        reserve(agent, org, "0.10");

        // step by step, the interleaving of a decision whose ledger row is not committed yet with a rebuild:
        // its Redis reservation is made ...
        String inFlight = "res_inflight_" + PrefixedId.next(PrefixedId.INVOCATION);
        assertThat(tallies.reserve(tag, inFlight, 200_000, true, List.of(new Line(periods.get(0), 1_000_000, -1),
                new Line(periods.get(1), -1, -1))).await().atMost(Duration.ofSeconds(10)).admitted()).isTrue();
        // ... the tallies are dropped (a resync after Redis missed a settlement) and rebuilt from the ledger by the
        // next decision, while the ledger does not hold the reservation in flight ...
        tallies.forget(tag, periods).await().atMost(Duration.ofSeconds(10));
        reserve(agent, org, "0.10");
        // ... then its ledger row commits and it settles
        Ledger.commitReservation(inFlight, org, agent, PrefixedId.next(PrefixedId.INVOCATION), "0.20");
        settle(inFlight, "0.20");

        // the two reservations the ledger holds are still reserved, exactly, not 0.20 less
        assertThat(monthTally(tag)).isEqualTo(new Tally(200_000, 200_000, 1, 2));
        assertThat(dayTally(tag)).isEqualTo(new Tally(200_000, 200_000, 1, 2));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_used", equalTo(0.2f)).body("cost_reserved", equalTo(0.2f));
    }

    @Test
    void aReservationARebuildAlreadyCountedIsNotHeldTwice() {
        Instant now = Instant.now();
        List<BudgetPeriod> month = List.of(BudgetPeriod.month(now));
        List<Line> limit = List.of(new Line(month.get(0), 1_000_000, -1));
        // an organisation's tally rebuilt by a concurrent decision counted this reservation: its agent's side had
        // journaled it before the organisation's hold was asked for, and the rebuild flushed every journal
        String tag = BudgetTallies.organizationTag(newOrg());
        String reservation = "res_counted_" + PrefixedId.next(PrefixedId.INVOCATION);
        rebuild(tag, month, new Rebuilt(100_000, 1, 0), Map.of(reservation, 300_000L), now);

        assertThat(tallies.reserve(tag, reservation, 300_000, true, limit).await().atMost(Duration.ofSeconds(10))
                .admitted()).isTrue();
        assertThat(monthTally(tag)).isEqualTo(new Tally(100_000, 300_000, 1, 1));

        // refused, such a hold goes with the refusal, as the decision then releases the reservation
        String full = BudgetTallies.organizationTag(newOrg());
        rebuild(full, month, new Rebuilt(800_000, 1, 0), Map.of(reservation, 300_000L), now);
        assertThat(tallies.reserve(full, reservation, 300_000, true, limit).await().atMost(Duration.ofSeconds(10))
                .admitted()).isFalse();
        assertThat(monthTally(full)).isEqualTo(new Tally(800_000, 0, 1, 0));
    }
}
