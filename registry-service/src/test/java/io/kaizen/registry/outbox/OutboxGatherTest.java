package io.kaizen.registry.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.outbox.OutboxRelay;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * A commit's wake-up waits {@code kaizen.outbox.gather} for more commits, and one round then publishes them all: two
 * transactions committed one after the other are published together, no sooner than the gathering time after the
 * first. The timed poll is an hour away, so only the commits' notifications can start the round.
 */
@QuarkusTest
@TestProfile(OutboxGatherTest.GatherFiveSeconds.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class OutboxGatherTest {

    private static final Duration GATHER = Duration.ofSeconds(5);

    public static class GatherFiveSeconds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.outbox.gather", GATHER.toMillis() + "ms", "kaizen.outbox.poll-interval", "1h",
                    "kaizen.outbox.start-delay", "1h");
        }
    }

    @Inject
    OutboxRelay relay;

    @Test
    void commitsWithinTheGatheringTimeArePublishedInOneRound() throws SQLException {
        await().atMost(Duration.ofSeconds(60)).until(relay::listening);
        String subject = "gathered-" + UUID.randomUUID();

        Instant firstCommitted;
        try (Connection db = connect()) {
            commitOne(db, subject, 0);
            firstCommitted = Instant.now();
            commitOne(db, subject, 1);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> publishedAt(subject).size() == 2);
        List<Instant> published = publishedAt(subject);
        assertThat(published.get(0)).as("one round marks both").isEqualTo(published.get(1));
        assertThat(published.get(0)).as("not before the gathering time has passed")
                .isAfterOrEqualTo(firstCommitted.plus(GATHER).minusMillis(500));
    }

    /** One outbox row in a transaction of its own that notifies the relay, as every writer does. */
    private static void commitOne(Connection db, String subject, int n) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement insert = db.prepareStatement("""
                insert into outbox_event (id, topic, event_key, type, source, subject, organization_id, occurred_at, payload)
                values (?, 'kaizen.agents.v1', ?, 'kaizen.test.gathered.v1', '/kaizen/test', ?, 'org_gather', ?, ?)""");
                Statement notify = db.createStatement()) {
            insert.setString(1, PrefixedId.next(PrefixedId.EVENT));
            insert.setString(2, subject);
            insert.setString(3, subject);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.setString(5, "{\"n\":" + n + "}");
            insert.executeUpdate();
            notify.execute(Outbox.NOTIFY);
        }
        db.commit();
    }

    private static List<Instant> publishedAt(String subject) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(
                "select published_at from outbox_event where subject = ? and published_at is not null")) {
            query.setString(1, subject);
            List<Instant> published = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    published.add(rows.getTimestamp(1).toInstant());
                }
            }
            return published;
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen", "kaizen");
    }
}
