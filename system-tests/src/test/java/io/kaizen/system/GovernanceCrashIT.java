package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * {@code kill -9} of a governance replica between answered decisions and the flush of its journal: nothing answered is
 * lost and nothing is overspent. The replica holds its flushes for an hour, so every answered decision is still only
 * in Redis when it dies; the suite's own governance finds the dead replica's journal and writes it.
 */
class GovernanceCrashIT {

    private static final Suite SUITE = Suite.get();

    private static JsonPath decide(String url, String agent, String org) {
        return given().baseUri(url).header("X-Kaizen-Service-Token", SUITE.stack.serviceToken())
                .contentType(ContentType.JSON)
                .body("{\"organization_id\": \"" + org + "\", \"agent_id\": \"" + agent + "\", \"user_id\": \"u1\"}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void decisionsAnsweredBeforeAKillAreAllWrittenAndTheBudgetStaysSpent() throws Exception {
        String org = Suite.newOrg();
        String token = SUITE.token(org, "org_owner");
        String agent = SUITE.as(token).body("""
                {"name": "Crash Bot", "platform": "custom_http", "endpoint_url": "%s/agents/crash-bot",
                 "requests_per_minute": 1000, "requests_per_hour": 1000, "requests_per_day": 1000,
                 "max_monthly_cost": 1.00, "max_daily_cost": -1, "cost_per_execution": 0.10}
                """.formatted(SUITE.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");

        ServiceLauncher replica = ServiceLauncher.start(SUITE.stack, ProjectLayout.locate(), Service.GOVERNANCE,
                Suite.freePort(), Path.of("target", "replica-logs", "crash").toAbsolutePath(),
                Map.of("kaizen.governance.journal.flush-delay", "1h"));
        List<String> reservations = new ArrayList<>();
        List<String> denials = new ArrayList<>();
        try {
            replica.awaitReady(ServiceLauncher.READY_TIMEOUT);
            for (int i = 0; i < 20 && denials.isEmpty(); i++) {
                JsonPath decision = decide(replica.url(), agent, org);
                if ("ALLOW".equals(decision.getString("outcome"))) {
                    reservations.add(decision.getString("reservation_id"));
                } else {
                    assertThat(decision.getString("outcome")).isEqualTo("DENY_BUDGET");
                    denials.add(decision.getString("decision_id"));
                }
            }
            assertThat(reservations).hasSize(10);
            assertThat(denials).hasSize(1);
            // the replica held every flush: what it answered is in its agent's journal in Redis, but for what the
            // suite's own governance may have written meanwhile (its recovery scans every journal every 30 s)
            assertThat(count("select count(*) from budget_reservation where agent_id = ?", agent))
                    .isLessThanOrEqualTo(reservations.size());

            replica.crash();
        } finally {
            if (replica.isAlive()) {
                replica.stop();
            }
            // starting the replica pointed the router at it; the suite's own governance answers again
            SUITE.stack.registerService(Service.GOVERNANCE, URI.create(SUITE.serviceUrl(Service.GOVERNANCE)));
        }

        // no overspend: the eleventh call is refused by the surviving governance, and through the public API
        assertThat(decide(SUITE.serviceUrl(Service.GOVERNANCE), agent, org).getString("outcome"))
                .isEqualTo("DENY_BUDGET");
        SUITE.invoking(token).body("{\"input\": \"x\"}")
                .when().post("/api/v1/external-agents/" + agent + "/invoke")
                .then().statusCode(402);

        // nothing lost: the surviving governance's recovery writes every journaled reservation and decision event
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(strings("select id from budget_reservation where agent_id = ? and status = 'reserved'", agent))
                    .containsExactlyInAnyOrderElementsOf(reservations);
            for (String decision : denials) {
                assertThat(count("select count(*) from outbox_event where subject = ? and type = ?"
                        + " and published_at is not null and payload like ?", agent,
                        "kaizen.governance.decision.denied.v1", "%" + decision + "%")).isEqualTo(1);
            }
            // allowed decisions leave no event of their own (their invocation events carry them)
            assertThat(count("select count(*) from outbox_event where subject = ? and type = ?", agent,
                    "kaizen.governance.decision.evaluated.v1")).isZero();
        });
    }

    private static long count(String sql, String... parameters) throws SQLException {
        return Long.parseLong(strings(sql, parameters).get(0));
    }

    private static List<String> strings(String sql, String... parameters) throws SQLException {
        try (Connection db = DriverManager.getConnection(SUITE.stack.jdbcUrl("governance"), "kaizen", "kaizen");
                PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }
}
