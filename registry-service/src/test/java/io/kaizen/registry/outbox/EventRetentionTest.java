package io.kaizen.registry.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
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
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Published outbox rows and processed-event records older than their retention are purged in batches; pending
 * rows and recent records stay.
 */
@QuarkusTest
@TestProfile(EventRetentionTest.ShortRetention.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class EventRetentionTest {

    public static class ShortRetention implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.retention.published-outbox", "1h", "kaizen.retention.processed-events", "2h",
                    "kaizen.retention.batch-size", "2", "kaizen.retention.interval", "1s",
                    "kaizen.retention.start-delay", "1s");
        }
    }

    @Test
    void oldPublishedRowsAndOldProcessedRecordsArePurgedAndNothingElse() throws SQLException {
        String subject = "retention-" + UUID.randomUUID();
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            outboxRow(subject, "published-old", now.minus(Duration.ofHours(3)), now.minus(Duration.ofMinutes(90)));
            processed(subject, subject + "-old-" + i, now.minus(Duration.ofMinutes(150)));
        }
        outboxRow(subject, "published-recent", now.minus(Duration.ofHours(3)), now.minus(Duration.ofMinutes(30)));
        // never published (its topic does not exist): kept however old
        outboxRow(subject, "pending-old", now.minus(Duration.ofDays(30)), null);
        processed(subject, subject + "-recent", now.minus(Duration.ofMinutes(90)));

        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from outbox_event where subject = ?"
                    + " and type = 'published-old'", subject) == 0
                    && count("select count(*) from processed_event where consumer = ? and event_id like '%-old-%'",
                            subject) == 0);
            assertThat(count("select count(*) from outbox_event where subject = ? and type = 'published-recent'", subject))
                    .isEqualTo(1);
            assertThat(count("select count(*) from outbox_event where subject = ? and type = 'pending-old'", subject))
                    .isEqualTo(1);
            assertThat(count("select count(*) from processed_event where consumer = ?", subject)).isEqualTo(1);
        } finally {
            try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                    PreparedStatement delete = db.prepareStatement("delete from outbox_event where subject = ?")) {
                delete.setString(1, subject);
                delete.executeUpdate();
            }
        }
    }

    private static void outboxRow(String subject, String type, Instant occurredAt, Instant publishedAt)
            throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                PreparedStatement insert = db.prepareStatement("""
                        insert into outbox_event (id, topic, event_key, type, source, subject, occurred_at, payload, published_at)
                        values (?, ?, ?, ?, '/kaizen/test', ?, ?, '{}', ?)""")) {
            insert.setString(1, PrefixedId.next(PrefixedId.EVENT));
            insert.setString(2, publishedAt == null ? "kaizen.missing.v1" : "kaizen.agents.v1");
            insert.setString(3, subject + "-" + type);
            insert.setString(4, type);
            insert.setString(5, subject);
            insert.setTimestamp(6, Timestamp.from(occurredAt));
            insert.setTimestamp(7, publishedAt == null ? null : Timestamp.from(publishedAt));
            insert.executeUpdate();
        }
    }

    private static void processed(String consumer, String eventId, Instant processedAt) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                PreparedStatement insert = db.prepareStatement(
                        "insert into processed_event (consumer, event_id, processed_at) values (?, ?, ?)")) {
            insert.setString(1, consumer);
            insert.setString(2, eventId);
            insert.setTimestamp(3, Timestamp.from(processedAt));
            insert.executeUpdate();
        }
    }

    private static int count(String sql, String parameter) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
