package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Rollover of unused budget on the monthly line of 100 USD, default cap 25 %. The previous month's ledger is seeded
 * directly; the current month's tally is built by the first decision, which carries what the ledger left unused.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class BudgetRolloverTest {

    private static final String MONTHLY_100 = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000,"
            + " \"requests_per_day\": 1000, \"max_monthly_cost\": 100, \"max_daily_cost\": -1, \"cost_per_execution\": 0";

    private static String lastMonth() {
        return YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).toString();
    }

    private static String agent(String org, boolean rollover) {
        String agent = newAgent();
        settings(agent, org, MONTHLY_100);
        as(org, "org_admin").body("{\"rollover_unused\": " + rollover + "}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200).body("budget.rollover_unused", equalTo(rollover))
                .body("budget.max_rollover_percentage", equalTo(0.25f));
        return agent;
    }

    /** Last month's settled spend of an agent, and the carry it had itself received ({@code null}: none). */
    private static void spentLastMonth(String agent, String org, String spent, String carry) {
        sql("insert into budget_total (agent_id, organization_id, period, period_start, spent_usd, executions,"
                + " carry_usd) values (?, ?, 'monthly', cast(? as date), cast(? as numeric), 1, cast(? as numeric))",
                agent, org, lastMonth(), spent, carry);
    }

    /** A reservation of last month still held (its call's outcome has not arrived). */
    private static void heldLastMonth(String agent, String org, String estimate) {
        sql("insert into budget_reservation (id, organization_id, agent_id, user_id, decision_id, invocation_id,"
                + " estimate_usd, configured_cost_usd, status, month_start, week_start, day_start, org_reserved,"
                + " tally_synced, reserved_at) values (?, ?, ?, 'u1', 'dec_test', ?, cast(? as numeric), 0, 'reserved',"
                + " cast(? as date), cast(? as date), cast(? as date), false, true, now())",
                "res_" + PrefixedId.next(PrefixedId.INVOCATION), org, agent, PrefixedId.next(PrefixedId.INVOCATION),
                estimate, lastMonth(), lastMonth(), lastMonth());
    }

    /** Admits exactly {@code limit} USD this month and not a cent more, whose denial names the limit. */
    private static void limitIs(String agent, String org, String limit, float shown) {
        decide(agent, org, "\"estimated_cost\": " + limit).body("outcome", equalTo("ALLOW"));
        decide(agent, org, "\"estimated_cost\": 0.01")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.scope", equalTo("monthly"))
                .body("budget.limit", equalTo(shown));
    }

    @Test
    void fortyUnusedOfAHundredRollOverCappedAtTwentyFive() {
        String org = newOrg();
        String agent = agent(org, true);
        spentLastMonth(agent, org, "60", null);
        limitIs(agent, org, "125", 125.0f);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_limit", equalTo(125.0f))
                .body("rollover_usd", equalTo(25.0f))
                .body("cost_reserved", equalTo(125.0f))
                .body("cost_remaining", equalTo(0.0f));
    }

    @Test
    void theGovernanceStatusAndTheBudgetConfigAnswerShowTheRolloverBesideEachLimit() {
        String org = newOrg();
        String agent = agent(org, true);
        as(org, "org_admin").body("{\"weekly_budget_usd\": 10}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(200);
        spentLastMonth(agent, org, "60", null);
        sql("insert into budget_total (agent_id, organization_id, period, period_start, spent_usd, executions)"
                + " values (?, ?, 'weekly', cast(? as date), cast(? as numeric), 1)", agent, org,
                LocalDate.now(ZoneOffset.UTC).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1)
                        .toString(), "9");

        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().statusCode(200)
                .body("budget.monthly_budget_usd", equalTo(125.0f))
                .body("budget.monthly_rollover_usd", equalTo(25.0f))
                .body("budget.remaining_monthly_usd", equalTo(125.0f))
                .body("budget.weekly_budget_usd", equalTo(11.0f))
                .body("budget.weekly_rollover_usd", equalTo(1.0f))
                .body("budget.daily_budget_usd", equalTo(null))
                .body("budget.daily_rollover_usd", equalTo(0.0f));
        as(org, "org_admin").body("{\"warning_threshold\": 0.7}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200)
                .body("budget_limit_monthly", equalTo(125.0f))
                .body("current_usage.rollover_usd", equalTo(25.0f))
                .body("budget_limit_weekly", equalTo(11.0f))
                .body("current_usage.weekly.rollover_usd", equalTo(1.0f))
                .body("budget.monthly_budget_usd", equalTo(100.0f));
    }

    @Test
    void anAgentCreatedDuringThePreviousMonthCarriesNothingFromIt() {
        String org = newOrg();
        String agent = agent(org, true);
        sql("update agent_governance set agent_created_at = cast(? as date) + interval '3 days' where agent_id = ?",
                lastMonth(), agent);
        // a write through the API, so that governance reads the agent's row afresh
        as(org, "org_admin").body("{\"max_rollover_percentage\": 0.25}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(200);
        spentLastMonth(agent, org, "60", null);
        limitIs(agent, org, "100", 100.0f);
    }

    @Test
    void tenUnusedRollOverWhole() {
        String org = newOrg();
        String agent = agent(org, true);
        spentLastMonth(agent, org, "90", null);
        limitIs(agent, org, "110", 110.0f);
    }

    @Test
    void withRolloverOffTheLimitStaysAndTurningItOnAppliesAtOnce() {
        String org = newOrg();
        String agent = agent(org, false);
        spentLastMonth(agent, org, "60", null);
        decide(agent, org, "\"estimated_cost\": 100.01")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.limit", equalTo(100.0f));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("cost_limit", equalTo(100.0f)).body("rollover_usd", equalTo(0.0f));

        // the month's tally is built already: the cap comes with every decision
        as(org, "org_admin").body("{\"rollover_unused\": true, \"max_rollover_percentage\": 0.1}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config").then().statusCode(200);
        limitIs(agent, org, "110", 110.0f);
    }

    @Test
    void aMonthAfterARolloverMonthDoesNotCompound() {
        String org = newOrg();
        String agent = agent(org, true);
        // last month received 25 and spent nothing of its 125
        spentLastMonth(agent, org, "0", "25");
        limitIs(agent, org, "125", 125.0f);
    }

    @Test
    void reservedButUnsettledCountsAsUsed() {
        String org = newOrg();
        String agent = agent(org, true);
        spentLastMonth(agent, org, "60", null);
        heldLastMonth(agent, org, "30");
        limitIs(agent, org, "110", 110.0f);
    }

    @Test
    void theRolloverPercentageIsValidated() {
        String org = newOrg();
        String agent = agent(org, false);
        for (String value : new String[] {"1.5", "-0.1"}) {
            as(org, "org_admin").body("{\"max_rollover_percentage\": " + value + "}")
                    .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo("max_rollover_percentage"))
                    .body("detail", equalTo("max_rollover_percentage must be between 0 and 1"));
        }
        as(org, "org_admin").body("{\"rollover_unused\": \"sometimes\"}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).contentType("application/problem+json");
    }

    private static void sql(String statement, String... parameters) {
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"), "kaizen",
                "kaizen"); PreparedStatement update = db.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setString(i + 1, parameters[i]);
            }
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
