package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.TopicReader;

/** State and event travel together: with Kafka down the agent is stored and its event waits in the outbox. */
class OutboxIT {

    private static final String AGENTS = "kaizen.agents.v1";

    private final Suite suite = Suite.get();

    /**
     * The event is consumed once, and when the relay publishes it a second time (at least once delivery) every
     * consumer ignores the copy: the audit log's insert is keyed by event id, so without the processed-event
     * record the copy would fail on the key and land in the dead-letter topic.
     */
    @Test
    void anEventWrittenWhileKafkaIsDownIsConsumedExactlyOnceAfterItReturns() throws Exception {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId;
        suite.stack.stopKafka();
        try {
            agentId = suite.registerAgent(token, "Patient Bot");
            // the agent is committed, its event waits unpublished in the same database (with the broker away there is
            // nothing to wait for: no relay round can publish it)
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
        await().atMost(Duration.ofSeconds(60)).until(() -> pendingOutboxRows(agentId) == 0);

        // the relay publishes the same row again, as after a crash between the broker's ack and the commit
        markUnpublished(agentId);
        List<ConsumerRecord<String, String>> copies = TopicReader.await(suite.stack.kafkaBootstrap(), AGENTS,
                r -> agentId.equals(r.key()) && "kaizen.agent.registered.v1".equals(TopicReader.header(r, "ce_type")),
                2, Duration.ofSeconds(60));
        ConsumerRecord<String, String> copy = copies.get(copies.size() - 1);
        String eventId = TopicReader.header(copy, "ce_id");
        assertThat(copies).extracting(r -> TopicReader.header(r, "ce_id")).containsOnly(eventId);
        await().atMost(Duration.ofSeconds(60)).until(() -> committedPast("lineage-service.audit", copy)
                && committedPast("governance-service.agents", copy));

        suite.as(suite.token(org, "auditor")).queryParam("subject", agentId)
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1));
        assertThat(new DeadLetterQueue(suite.stack.kafkaBootstrap()).list(AGENTS))
                .noneMatch(letter -> eventId.equals(letter.eventId()));
    }

    private boolean committedPast(String group, ConsumerRecord<?, ?> record) throws Exception {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        try (Admin admin = suite.stack.kafka().admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            OffsetAndMetadata committed = offsets.get(partition);
            return committed != null && committed.offset() > record.offset();
        }
    }

    private void markUnpublished(String agentId) throws SQLException {
        try (Connection db = DriverManager.getConnection(suite.stack.jdbcUrl("registry"), "kaizen", "kaizen");
                PreparedStatement update = db.prepareStatement(
                        "update outbox_event set published_at = null where subject = ? and type = 'kaizen.agent.registered.v1'")) {
            update.setString(1, agentId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
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
