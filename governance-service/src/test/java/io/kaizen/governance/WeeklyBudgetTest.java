package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Date;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class WeeklyBudgetTest {

    private static final String UNLIMITED = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000,"
            + " \"requests_per_day\": 1000, \"max_monthly_cost\": -1, \"max_daily_cost\": -1, \"cost_per_execution\": 0";
    /** Fourteen hours ahead of UTC: its Monday starts on Sunday 10:00 UTC, so its week is rarely UTC's. */
    private static final ZoneId KIRITIMATI = ZoneId.of("Pacific/Kiritimati");

    private static LocalDate monday(ZoneId zone) {
        return LocalDate.now(zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }

    private static void budgetConfig(String agent, String org, String body) {
        as(org, "org_admin").body(body).when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200);
    }

    @Test
    void aWeeklyLimitDeniesNamingTheWeekWhichStartsOnMondayInTheOrganisationsZone() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED);
        as(org, "org_admin").body("{\"time_zone\": \"Pacific/Kiritimati\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200).body("time_zone", equalTo("Pacific/Kiritimati"));
        budgetConfig(agent, org, "{\"weekly_budget_usd\": 0.10}");

        String reservation = decide(agent, org, "\"estimated_cost\": 0.06").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        Instant nextMonday = monday(KIRITIMATI).plusWeeks(1).atStartOfDay(KIRITIMATI).toInstant();
        decide(agent, org, "\"estimated_cost\": 0.05")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("reason", equalTo("Weekly budget would be exceeded: $0.11 > $0.10"))
                .body("budget.scope", equalTo("weekly"))
                .body("budget.period", equalTo("weekly"))
                .body("budget.limit", equalTo(0.1f))
                .body("budget.reserved", equalTo(0.06f))
                .body("budget.resets_at", equalTo(nextMonday.toString()));

        // the row keeps its week's local Monday; the status shows the week in the organisation's zone
        Ledger.flushJournal(agent);
        assertThat(Ledger.row("select week_start from budget_reservation where id = ?", reservation))
                .containsEntry("week_start", Date.valueOf(monday(KIRITIMATI)));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("weekly.period", equalTo("weekly"))
                .body("weekly.period_start", equalTo(monday(KIRITIMATI).atStartOfDay(KIRITIMATI).toInstant().toString()))
                .body("weekly.period_end", equalTo(nextMonday.toString()))
                .body("weekly.cost_limit", equalTo(0.1f))
                .body("weekly.cost_reserved", equalTo(0.06f))
                .body("weekly.cost_remaining", equalTo(0.04f))
                .body("daily.period", equalTo("daily"));
    }

    @Test
    void aWeeklyExecutionLimitCountsEveryCallOfTheWeek() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED);
        budgetConfig(agent, org, "{\"weekly_execution_limit\": 2}");
        decide(agent, org, "").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "").body("outcome", equalTo("ALLOW"));
        decide(agent, org, "")
                .body("outcome", equalTo("DENY_BUDGET"))
                .body("reason", equalTo("Weekly execution limit reached: 2 / 2"))
                .body("budget.scope", equalTo("weekly_executions"))
                .body("budget.period", equalTo("weekly"));
    }

    @Test
    void settlementChargesTheWeekStoredOnTheReservation() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED);
        budgetConfig(agent, org, "{\"weekly_budget_usd\": 1.00}");
        String reservation = decide(agent, org, "\"estimated_cost\": 0.30").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        GovernanceApi.internal().body("{\"cost_usd\": 0.25}").when()
                .post("/internal/v1/reservations/" + reservation + "/settle").then().statusCode(200);

        assertThat(Ledger.row("select spent_usd, executions from budget_total where agent_id = ? and period = 'weekly'"
                + " and period_start = (select week_start from budget_reservation where id = ?)", agent, reservation))
                .containsEntry("executions", 1L);
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().body("weekly.cost_used", equalTo(0.25f)).body("weekly.cost_reserved", equalTo(0.0f))
                .body("weekly.invocations", equalTo(1));
    }

    @Test
    void theGovernanceStatusAndTheBudgetConfigAnswerShowTheWeeklyLine() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED);
        as(org, "org_admin").body("{\"time_zone\": \"Pacific/Kiritimati\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200);
        budgetConfig(agent, org, "{\"weekly_budget_usd\": 1.00, \"weekly_execution_limit\": 5}");
        String reservation = decide(agent, org, "\"estimated_cost\": 0.30").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        GovernanceApi.internal().body("{\"cost_usd\": 0.25}").when()
                .post("/internal/v1/reservations/" + reservation + "/settle").then().statusCode(200);

        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().statusCode(200)
                .body("budget.weekly_budget_usd", equalTo(1.0f))
                .body("budget.weekly_spent_usd", equalTo(0.25f))
                .body("budget.remaining_weekly_usd", equalTo(0.75f))
                .body("budget.weekly_rollover_usd", equalTo(0.0f))
                .body("budget.weekly_execution_limit", equalTo(5))
                .body("budget.weekly_execution_count", equalTo(1))
                .body("budget.weekly_resets_at",
                        equalTo(monday(KIRITIMATI).plusWeeks(1).atStartOfDay(KIRITIMATI).toInstant().toString()))
                .body("budget.monthly_budget_usd", equalTo(null))
                .body("budget.monthly_spent_usd", equalTo(0.25f));
        as(org, "org_admin").body("{\"weekly_budget_usd\": 2}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200)
                .body("budget_limit_weekly", equalTo(2.0f))
                .body("current_usage.weekly.cost_used", equalTo(0.25f))
                .body("current_usage.weekly.invocations", equalTo(1))
                .body("current_usage.weekly.rollover_usd", equalTo(0.0f))
                .body("current_usage.daily.cost_used", equalTo(0.25f))
                .body("current_usage.cost_used", equalTo(0.25f));
        budgetConfig(agent, org, "{\"weekly_budget_usd\": -1}");
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance-status")
                .then().statusCode(200)
                .body("budget.weekly_budget_usd", equalTo(null))
                .body("budget.remaining_weekly_usd", equalTo(null));
    }

    @Test
    void registrysWriteCarriesTheWeeklyLineAndRolloverAndItsChangeKeepsWhatItDoesNotName() {
        String agent = newAgent();
        String org = newOrg();
        String path = "/internal/v1/agents/" + agent + "/governance";
        GovernanceApi.internal().body("{\"organization_id\": \"" + org + "\", \"max_weekly_cost\": 0.10,"
                + " \"weekly_execution_limit\": 7, \"rollover_unused\": true, \"max_rollover_percentage\": 0.1}")
                .when().put(path).then().statusCode(200)
                .body("max_weekly_cost", equalTo(0.1f))
                .body("weekly_execution_limit", equalTo(7))
                .body("rollover_unused", equalTo(true))
                .body("max_rollover_percentage", equalTo(0.1f));
        as(org, "viewer").when().get("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200)
                .body("budget.weekly_budget_usd", equalTo(0.1f))
                .body("budget.weekly_execution_limit", equalTo(7))
                .body("budget.rollover_unused", equalTo(true))
                .body("budget.max_rollover_percentage", equalTo(0.1f));
        // last week left its 0.10 unused: 10 % of it rolls over
        decide(agent, org, "\"estimated_cost\": 0.12").body("outcome", equalTo("DENY_BUDGET"))
                .body("budget.scope", equalTo("weekly"))
                .body("budget.limit", equalTo(0.11f));

        GovernanceApi.internal().body("{\"organization_id\": \"" + org + "\", \"rollover_unused\": false}")
                .when().patch(path).then().statusCode(200)
                .body("rollover_unused", equalTo(false))
                .body("max_weekly_cost", equalTo(0.1f))
                .body("weekly_execution_limit", equalTo(7));
        GovernanceApi.internal().body("{\"agent_ids\": [\"" + agent + "\"]}").when().post("/internal/v1/agents/usage")
                .then().statusCode(200)
                .body("items[0].settings.max_weekly_cost", equalTo(0.1f))
                .body("items[0].settings.weekly_execution_limit", equalTo(7))
                .body("items[0].settings.rollover_unused", equalTo(false))
                .body("items[0].settings.max_rollover_percentage", equalTo(0.1f));
        // a registration without them: the weekly line is unlimited and rollover off
        GovernanceApi.internal().body("{\"organization_id\": \"" + org + "\"}").when().put(path).then().statusCode(200)
                .body("max_weekly_cost", equalTo(null))
                .body("weekly_execution_limit", equalTo(null))
                .body("rollover_unused", equalTo(false))
                .body("max_rollover_percentage", equalTo(0.25f));

        // registry's field names, each refused under the name governance's own budget API gives it
        Map<String, String> refused = Map.of("\"max_weekly_cost\": -2", "weekly_budget_usd",
                "\"weekly_execution_limit\": -2", "weekly_execution_limit",
                "\"max_rollover_percentage\": 1.5", "max_rollover_percentage");
        refused.forEach((bad, field) -> GovernanceApi.internal()
                .body("{\"organization_id\": \"" + org + "\", " + bad + "}")
                .when().put(path).then().statusCode(400).contentType("application/problem+json")
                .body("field", equalTo(field)));
    }

    @Test
    void weeklySettingsAndTheTimeZoneAreValidated() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, "");
        as(org, "viewer").when().get("/api/v1/policies/settings").then().statusCode(200)
                .body("time_zone", equalTo("UTC"));
        for (String zone : new String[] {"Mars/Olympus_Mons", "+02:00", ""}) {
            as(org, "org_admin").body("{\"time_zone\": \"" + zone + "\"}").when().patch("/api/v1/policies/settings")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("field", equalTo("time_zone"));
        }
        as(org, "org_admin").body("{\"weekly_budget_usd\": -2}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("field", equalTo("weekly_budget_usd"))
                .body("detail", equalTo("weekly_budget_usd must not be negative (-1 for unlimited)"));
        as(org, "org_admin").body("{\"weekly_execution_limit\": -2}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(400).body("field", equalTo("weekly_execution_limit"));
        as(org, "org_admin").body("{\"weekly_budget_usd\": 25.5, \"weekly_execution_limit\": 70}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200).body("budget.weekly_budget_usd", equalTo(25.5f))
                .body("budget.weekly_execution_limit", equalTo(70));
        as(org, "org_admin").body("{\"weekly_budget_usd\": -1, \"weekly_execution_limit\": -1}")
                .when().patch("/api/v1/external-agents/" + agent + "/budget/config")
                .then().statusCode(200).body("budget.weekly_budget_usd", equalTo(null))
                .body("budget.weekly_execution_limit", equalTo(null));
    }
}
