package io.kaizen.registry.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The relay drains a backlog larger than one batch in a single tick: with batches of 10 and the next tick an hour
 * away, 25 waiting events must all reach Kafka after the first tick.
 */
@QuarkusTest
@TestProfile(OutboxRelayTest.SmallBatchesRareTicks.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class OutboxRelayTest {

    public static class SmallBatchesRareTicks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.outbox.batch-size", "10", "kaizen.outbox.poll-interval", "1h",
                    "kaizen.outbox.start-delay", "15s");
        }
    }

    @Test
    void oneTickPublishesTheWholeBacklogInOrderOfWriting() throws SQLException {
        String subject = "backlog-" + UUID.randomUUID();
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen",
                "kaizen"); PreparedStatement insert = db.prepareStatement("""
                        insert into outbox_event (id, topic, event_key, type, source, subject, organization_id, occurred_at, payload)
                        values (?, 'kaizen.agents.v1', ?, 'kaizen.test.backlog.v1', '/kaizen/test', ?, 'org_backlog', ?, ?)""")) {
            Instant start = Instant.now();
            for (int i = 0; i < 25; i++) {
                insert.setString(1, PrefixedId.next(PrefixedId.EVENT));
                insert.setString(2, subject);
                insert.setString(3, subject);
                insert.setTimestamp(4, Timestamp.from(start.plusMillis(i)));
                insert.setString(5, "{\"n\":" + i + "}");
                insert.executeUpdate();
            }
        }

        await().atMost(Duration.ofSeconds(45)).until(() -> pending(subject) == 0);
        var published = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(), "kaizen.agents.v1",
                r -> subject.equals(r.key()), 25, Duration.ofSeconds(20));
        assertThat(published).hasSize(25);
        assertThat(published.stream().map(r -> r.value()).toList())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(i -> "{\"n\":" + i + "}").toList());
    }

    private static int pending(String subject) throws SQLException {
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen",
                "kaizen"); PreparedStatement query = db.prepareStatement(
                        "select count(*) from outbox_event where subject = ? and published_at is null")) {
            query.setString(1, subject);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
