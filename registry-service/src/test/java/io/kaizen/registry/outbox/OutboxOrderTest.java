package io.kaizen.registry.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The relay keeps each aggregate's events in order, across failed sends and across replicas. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class OutboxOrderTest {

    private static final String TOPIC = "kaizen.agents.v1";
    /** The broker does not create topics on first use, so a send there fails (after max.block.ms). */
    private static final String MISSING_TOPIC = "kaizen.missing.v1";

    @Test
    void aRowThatFailsToPublishHoldsBackTheLaterRowsOfItsKey() throws SQLException {
        String key = "order-" + UUID.randomUUID();
        List<String> ids = insert(key, MISSING_TOPIC, TOPIC, TOPIC);

        await().atMost(Duration.ofSeconds(60)).until(() -> attempts(ids.get(0)) >= 1);
        assertThat(pending(key)).isEqualTo(3);
        assertThat(attempts(ids.get(1))).isZero();
        assertThat(attempts(ids.get(2))).isZero();

        execute("update outbox_event set topic = '" + TOPIC + "' where id = '" + ids.get(0) + "'");
        await().atMost(Duration.ofSeconds(60)).until(() -> pending(key) == 0);
        assertThat(published(key)).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
    }

    /**
     * Another replica holds the key (it claimed the first row and has not published it yet): this replica leaves
     * the key's later rows alone instead of publishing them ahead of the first, and takes them all, in order,
     * once the other replica is gone.
     */
    @Test
    void aKeyAnotherReplicaIsPublishingIsLeftToIt() throws SQLException {
        String key = "replica-" + UUID.randomUUID();
        try (Connection replica = DevStackTestResource.stack().postgres().connect("registry")) {
            replica.setAutoCommit(false);
            try (Statement lock = replica.createStatement()) {
                lock.execute("select pg_advisory_xact_lock(hashtext('outbox_event'), hashtext('" + key + "'))");
            }
            List<String> ids = insert(key, TOPIC, TOPIC, TOPIC);
            try (Statement claim = replica.createStatement()) {
                claim.execute("select id from outbox_event where id = '" + ids.get(0) + "' for update");
            }
            // a row of another key published after ours were written: the relay has looked at ours and passed
            String other = "other-" + UUID.randomUUID();
            insert(other, TOPIC);
            await().atMost(Duration.ofSeconds(60)).until(() -> pending(other) == 0);
            assertThat(pending(key)).isEqualTo(3);

            replica.rollback();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> pending(key) == 0);
        assertThat(published(key)).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
    }

    /** Writes one row per topic for {@code key}, in one transaction, payloads {@code {"n":i}} in order. */
    private static List<String> insert(String key, String... topics) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                PreparedStatement insert = db.prepareStatement("""
                        insert into outbox_event (id, topic, event_key, type, source, subject, organization_id, occurred_at, payload)
                        values (?, ?, ?, 'kaizen.test.order.v1', '/kaizen/test', ?, 'org_order', ?, ?)""")) {
            db.setAutoCommit(false);
            Instant start = Instant.now();
            for (int i = 0; i < topics.length; i++) {
                String id = PrefixedId.next(PrefixedId.EVENT);
                ids.add(id);
                insert.setString(1, id);
                insert.setString(2, topics[i]);
                insert.setString(3, key);
                insert.setString(4, key);
                insert.setTimestamp(5, Timestamp.from(start.plusMillis(i)));
                insert.setString(6, "{\"n\":" + i + "}");
                insert.executeUpdate();
            }
            db.commit();
        }
        return ids;
    }

    private static List<String> published(String key) {
        return TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(), TOPIC, r -> key.equals(r.key()), 3,
                Duration.ofSeconds(60)).stream().map(r -> r.value()).toList();
    }

    private static int pending(String key) throws SQLException {
        return count("select count(*) from outbox_event where event_key = '" + key + "' and published_at is null");
    }

    private static int attempts(String id) throws SQLException {
        return count("select attempts from outbox_event where id = '" + id + "'");
    }

    private static int count(String sql) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                Statement query = db.createStatement(); ResultSet rows = query.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("registry");
                Statement statement = db.createStatement()) {
            statement.executeUpdate(sql);
        }
    }
}
