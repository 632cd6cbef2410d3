package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

import org.junit.jupiter.api.Test;

/**
 * A weekly budget given to the agent API is enforced by the gateway, and its refusal says when the week ends: the next
 * Monday 00:00 in the organisation's time zone.
 */
class WeeklyBudgetIT {

    /** Fourteen hours ahead of UTC: its Monday starts on Sunday 10:00 UTC, so its week is rarely UTC's. */
    private static final ZoneId KIRITIMATI = ZoneId.of("Pacific/Kiritimati");

    private final Suite suite = Suite.get();

    @Test
    void theGatewayRefusesBeyondTheWeeklyBudgetUntilTheNextMondayInTheOrganisationsZone() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        suite.as(token).body("{\"time_zone\": \"Pacific/Kiritimati\"}").when().patch("/api/v1/policies/settings")
                .then().statusCode(200).body("time_zone", equalTo("Pacific/Kiritimati"));
        String agentId = suite.as(token).body("""
                {"name": "Weekly Bot", "platform": "custom_http", "endpoint_url": "%s/weekly",
                 "max_monthly_cost": -1, "max_daily_cost": -1, "cost_per_execution": 0.05, "max_weekly_cost": 0.10}
                """.formatted(suite.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).body("max_weekly_cost", equalTo(0.1f))
                .extract().path("id");
        String invoke = "/api/v1/external-agents/" + agentId + "/invoke";

        suite.invoking(token).body("{\"input\": \"one\"}").when().post(invoke).then().statusCode(200);
        suite.invoking(token).body("{\"input\": \"two\"}").when().post(invoke).then().statusCode(200);
        var refused = suite.invoking(token).body("{\"input\": \"three\"}").when().post(invoke)
                .then().statusCode(402).contentType("application/problem+json")
                .body("error_code", equalTo("BUDGET_EXCEEDED"))
                .body("scope", equalTo("weekly"))
                .body("period", equalTo("weekly"))
                .body("limit", equalTo(0.1f))
                .extract();
        String nextMonday = LocalDate.now(KIRITIMATI).with(TemporalAdjusters.next(DayOfWeek.MONDAY))
                .atStartOfDay(KIRITIMATI).toInstant().toString();
        assertThat(refused.<String>path("resets_at")).isEqualTo(nextMonday);
        assertThat(refused.header("X-Budget-Reset")).isEqualTo(nextMonday);
    }
}
