package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.invocation;
import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * Two lineage consumers of one group — as two replicas are — each take one event of the same invocation (its
 * {@code invocation.completed} from {@code kaizen.invocations.v1}, its governance decision from
 * {@code kaizen.governance.v1}, keyed otherwise and so on another partition) and both find no row. The race is made
 * certain, not hoped for: the test holds a {@code SHARE ROW EXCLUSIVE} lock on {@code lineage_record}, which lets both
 * consumers read but stops both inserts, and lets go only once PostgreSQL shows the two inserts waiting. One insert
 * then wins; the other finds the row there, reads it and merges into it in the same transaction, without failing its
 * batch. Exactly one row results, holding what both events said.
 */
@QuarkusTest
@TestProfile(ReplicaRaceTest.TwoConsumers.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class ReplicaRaceTest {

    private static final String GROUP = "lineage-service.lineage";
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    /** The lineage channel as two consumers in its group, each with its own partitions and its own transactions. */
    public static class TwoConsumers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.incoming.invocations.concurrency", "2");
        }
    }

    @Inject
    ObjectMapper mapper;

    @Test
    void twoConsumersRacingToInsertOneInvocationsRowLeaveExactlyOneRowWithBothEvents() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        List<TopicPartition> split = partitionsOfTwoMembers();
        List<String> eventIds = new ArrayList<>();

        FailedBatches failed = FailedBatches.open();
        try (Connection lock = db()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table lineage_record in share row exclusive mode");
            }
            eventIds.add(send(split.get(0), EventTypes.INVOCATION_COMPLETED, invocationId, org,
                    invocation(invocationId, org)));
            eventIds.add(send(split.get(1), EventTypes.DECISION_EVALUATED, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", org,
                    decision(invocationId, org)));
            // both consumers have read the invocation's row (none) and wait to insert it
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> waitingInserts() >= 2);
            lock.commit();
        }

        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonPath row = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + invocationId)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(row.getString("status")).isEqualTo("success");
            assertThat(row.getString("external_user_email")).isEqualTo("jane@acme.example");
            // only the decision tells the rate window and the matched policy
            assertThat(row.getLong("rate_limit_remaining")).isEqualTo(41L);
            assertThat(row.getString("matched_policy_id")).isEqualTo("pol_race");
        });
        try (Connection db = db(); PreparedStatement count = db.prepareStatement(
                "select count(*) from lineage_record where invocation_id = ?")) {
            count.setString(1, invocationId);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
        DeadLetterQueue dlq = new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
        for (String topic : List.of(Topics.INVOCATIONS, Topics.GOVERNANCE)) {
            assertThat(dlq.list(topic)).as("dead letters of " + topic)
                    .noneMatch(letter -> eventIds.contains(letter.eventId()));
        }
        JsonPath page = given().auth().oauth2(token(org)).when().get("/api/v1/lineage")
                .then().statusCode(200).extract().jsonPath();
        assertThat(page.getInt("total")).isEqualTo(1);
        failed.close();
        assertThat(failed.messages).as("batches that fell back to one record at a time").isEmpty();
    }

    /** Warnings of a lineage batch that failed as a whole and went one record at a time, while open. */
    private static final class FailedBatches extends Handler {
        final List<String> messages = new CopyOnWriteArrayList<>();

        static FailedBatches open() {
            FailedBatches handler = new FailedBatches();
            Logger.getLogger("").addHandler(handler);
            return handler;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() != null && record.getMessage().contains("failed as a whole")) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }

    /**
     * The row exists (from the invocation's {@code invocation.accepted}); then its {@code invocation.completed} and
     * its decision reach the two consumers at once. Each merge reads the row and writes it back whole, so a consumer
     * that merged into the row as it was before the other's commit would write over what the other merged: the
     * completion or the decision would be lost. The test holds a {@code SHARE ROW EXCLUSIVE} lock on
     * {@code lineage_record}, which stops every update of it, until PostgreSQL shows both consumers waiting for a lock:
     * without the row lock of the merge's read, both have read the accepted row and wait to write it; with it, one
     * waits to write and the other waits to read. The row ends with what both events said.
     */
    @Test
    void twoConsumersMergingIntoOneExistingRowAtOnceKeepWhatBothEventsSaid() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        List<TopicPartition> split = partitionsOfTwoMembers();
        InvocationEvent completed = invocation(invocationId, org);
        InvocationEvent accepted = new InvocationEvent(invocationId, org, "pending", completed.externalUser(),
                completed.externalSystem(), completed.kaizenAuth(), completed.agent(), completed.trace(),
                completed.request(), completed.governance(), null);
        send(split.get(0), EventTypes.INVOCATION_ACCEPTED, invocationId, org, accepted);
        await().atMost(DEADLINE).untilAsserted(() -> given().auth().oauth2(token(org)).when()
                .get("/api/v1/lineage/" + invocationId).then().statusCode(200)
                .body("status", equalTo("pending")));

        try (Connection lock = db()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table lineage_record in share row exclusive mode");
            }
            send(split.get(0), EventTypes.INVOCATION_COMPLETED, invocationId, org, completed);
            send(split.get(1), EventTypes.DECISION_EVALUATED, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", org,
                    decision(invocationId, org));
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> waitingForLocks() >= 2);
            lock.commit();
        }

        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonPath row = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + invocationId)
                    .then().statusCode(200).extract().jsonPath();
            assertThat(row.getString("status")).isEqualTo("success");
            assertThat(row.getString("duration_ms")).isEqualTo("120");
            assertThat(row.getString("rate_limit_remaining")).isEqualTo("41");
            assertThat(row.getString("matched_policy_id")).isEqualTo("pol_race");
        });
    }

    /**
     * A partition of the invocations topic held by one member of the group and one of the governance topic held by
     * the other, once the group has settled on two members.
     */
    private static List<TopicPartition> partitionsOfTwoMembers() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        try (Admin admin = Admin.create(props)) {
            List<TopicPartition> split = new ArrayList<>();
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all()
                        .get(10, TimeUnit.SECONDS).get(GROUP);
                Collection<MemberDescription> members = group.members();
                if (members.size() != 2) {
                    return false;
                }
                List<MemberDescription> two = List.copyOf(members);
                TopicPartition invocations = first(two.get(0), Topics.INVOCATIONS);
                TopicPartition governance = first(two.get(1), Topics.GOVERNANCE);
                if (invocations == null || governance == null) {
                    return false;
                }
                split.clear();
                split.add(invocations);
                split.add(governance);
                return true;
            });
            return split;
        }
    }

    private static TopicPartition first(MemberDescription member, String topic) {
        return member.assignment().topicPartitions().stream().filter(p -> p.topic().equals(topic))
                .findFirst().orElse(null);
    }

    /** Inserts into lineage_record waiting for a lock: consumers that read no row and are about to write one. */
    private static int waitingInserts() throws SQLException {
        try (Connection db = db(); Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery("select count(*) from pg_locks l join pg_stat_activity a"
                        + " on a.pid = l.pid where not l.granted and l.relation = 'lineage_record'::regclass"
                        + " and a.query ilike 'insert into lineage_record%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The lineage database's sessions waiting for a lock (a table's, a row's or another transaction's). */
    private static int waitingForLocks() throws SQLException {
        try (Connection db = db(); Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery("select count(*) from pg_stat_activity"
                        + " where datname = current_database() and wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Sends the event to that partition as the relay would publish it; answers its id. */
    private String send(TopicPartition partition, String type, String key, String org, Object data) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/test", type, key, org,
                    Instant.now(), mapper.writeValueAsString(data));
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), key, event.data(),
                    event.headers())).get(30, TimeUnit.SECONDS);
            return event.id();
        }
    }

    /** The decision of the invocation event's governance ({@code dec_1}), with what only governance knows. */
    private static GovernanceDecisionEvent decision(String invocationId, String org) {
        return new GovernanceDecisionEvent("dec_1", org, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", invocationId, "ext-42",
                "ALLOW", null, "pol_race", List.of("pol_race"), List.of(), null, new BigDecimal("0.05"),
                new Decision.RateLimitState("minute", 60, 41L, null, null), null, List.of(),
                Instant.parse("2026-11-28T10:00:00Z"));
    }

    private static Connection db() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("lineage");
    }
}
