package io.kaizen.system;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** State and event travel together: with Kafka down the agent is stored and its event waits in the outbox. */
class OutboxIT {

    private final Suite suite = Suite.get();

    @Test
    void anEventWrittenWhileKafkaIsDownIsConsumedExactlyOnceAfterItReturns() throws Exception {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId;
        suite.stack.stopKafka();
        try {
            agentId = suite.registerAgent(token, "Patient Bot");
            // the agent is committed, its event waits unpublished in the same database
            Thread.sleep(1500);
            assertThat(pendingOutboxRows(agentId)).isEqualTo(1);
        } finally {
            suite.stack.startKafka();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(suite.token(org, "auditor"))
                .queryParam("subject", agentId)
                .when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("total", equalTo(1))
                .body("items[0].type", equalTo("kaizen.agent.registered.v1")));
        await().atMost(Duration.ofSeconds(30)).until(() -> pendingOutboxRows(agentId) == 0);

        // redeliveries (the relay publishes at least once) never add a second audit entry
        Thread.sleep(3000);
        suite.as(suite.token(org, "auditor")).queryParam("subject", agentId)
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1));
    }

    private int pendingOutboxRows(String agentId) throws SQLException {
        try (Connection db = DriverManager.getConnection(suite.stack.jdbcUrl("registry"), "kaizen", "kaizen");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from outbox_event where subject = ? and published_at is null")) {
            query.setString(1, agentId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
