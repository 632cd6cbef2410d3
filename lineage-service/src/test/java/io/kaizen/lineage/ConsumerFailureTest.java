package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.invocation;
import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * One bad record never stops the audit trail: a record the database refuses goes to the dead-letter topic at once,
 * a database outage longer than the connector's 60 s stuck-record limit is ridden out, and a dead letter can be
 * replayed without doubling anything.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class ConsumerFailureTest {

    @Inject
    InvocationEvents events;

    @Test
    void anEventTheDatabaseRefusesIsDeadLetteredAtOnceAndTheNextRowAppearsWithinSeconds() {
        String org = "org_" + UUID.randomUUID();
        String poisonInvocation = PrefixedId.next(PrefixedId.INVOCATION);
        String poisonEvent = PrefixedId.next(PrefixedId.EVENT);
        String normalInvocation = PrefixedId.next(PrefixedId.INVOCATION);
        double deadLetteredBefore = InvocationEvents.deadLetteredCount();

        // user_agent is varchar(1024): this insert fails with SQLState 22001 on every attempt
        events.send(poisonEvent, poisonInvocation, invocation(poisonInvocation, org, "A".repeat(2000)));
        events.send(PrefixedId.next(PrefixedId.EVENT), normalInvocation, invocation(normalInvocation, org));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + normalInvocation)
                .then().statusCode(200).body("invocation_id", equalTo(normalInvocation)));
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + poisonInvocation).then().statusCode(404);

        List<DeadLetterQueue.DeadLetter> dead = InvocationEvents.deadLetters(poisonEvent);
        assertThat(dead).singleElement().satisfies(letter -> {
            assertThat(letter.consumer()).isEqualTo("lineage");
            assertThat(letter.key()).isEqualTo(poisonInvocation);
            assertThat(letter.type()).isEqualTo("kaizen.invocation.completed.v1");
            assertThat(letter.topic()).isEqualTo(InvocationEvents.TOPIC);
            assertThat(letter.reason()).startsWith("SQLState 22001").contains("value too long");
        });
        assertThat(InvocationEvents.deadLetteredCount()).isEqualTo(deadLetteredBefore + 1);
        // the audit log, which reads no lineage columns, holds the event lineage could not place, once
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .queryParam("subject", poisonInvocation).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aRecordThatIsNotACloudEventIsDeadLetteredWithItsReason() {
        String key = "junk-" + UUID.randomUUID();
        events.sendRaw(key, "{not json");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap()).list(InvocationEvents.TOPIC))
                .filteredOn(letter -> key.equals(letter.key()))
                .allSatisfy(letter -> assertThat(letter.reason()).contains("is not a CloudEvents 1.0 binary-mode event"))
                .extracting(DeadLetterQueue.DeadLetter::consumer)
                .containsExactlyInAnyOrder("lineage", "audit"));
    }

    /**
     * PostgreSQL stopped for 90 s, longer than the connector's stuck-record limit, while events keep arriving:
     * every row is there once it is back, nothing was dead-lettered, and the consumer still takes new events.
     */
    @Test
    void aNinetySecondDatabaseOutageLosesNoEventAndStopsNoConsumer() throws Exception {
        String org = "org_" + UUID.randomUUID();
        List<String> invocations = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        DevStack stack = DevStackTestResource.stack();
        Instant stopped = Instant.now();
        stack.stopPostgres();
        try {
            for (int i = 0; i < 4; i++) {
                String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
                String eventId = PrefixedId.next(PrefixedId.EVENT);
                invocations.add(invocationId);
                eventIds.add(eventId);
                events.send(eventId, invocationId, invocation(invocationId, org));
                Thread.sleep(20_000);
            }
            Thread.sleep(Math.max(0, Duration.ofSeconds(90).minus(Duration.between(stopped, Instant.now())).toMillis()));
        } finally {
            stack.startPostgres();
        }

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            for (String invocationId : invocations) {
                given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + invocationId)
                        .then().statusCode(200);
            }
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().statusCode(200)
                    .body("total", equalTo(invocations.size()));
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200).body("status", equalTo("UP")));
        for (String eventId : eventIds) {
            assertThat(InvocationEvents.deadLetters(eventId)).isEmpty();
        }
        String after = PrefixedId.next(PrefixedId.INVOCATION);
        events.send(PrefixedId.next(PrefixedId.EVENT), after, invocation(after, org));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + after).then().statusCode(200));
    }

    /**
     * An event the lineage consumer dead-lettered (another organisation held its invocation id) is replayed once the
     * cause is gone: the row appears, the audit consumer that had already recorded the event ignores it, and a second
     * replay republishes nothing.
     */
    @Test
    void aDeadLetterReplayedToItsTopicIsAppliedOnceByEveryConsumer() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        DeadLetterQueue dlq = new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
        dlq.replay(InvocationEvents.TOPIC); // earlier tests' dead letters are not this test's
        takeInvocationId(invocationId, "org_" + UUID.randomUUID());

        events.send(eventId, invocationId, invocation(invocationId, org));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(InvocationEvents.deadLetters(eventId))
                .singleElement().satisfies(letter -> {
                    assertThat(letter.consumer()).isEqualTo("lineage");
                    assertThat(letter.reason()).contains("belongs to another organisation");
                }));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .queryParam("subject", invocationId).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)));
        releaseInvocationId(invocationId);

        assertThat(dlq.replay(InvocationEvents.TOPIC)).extracting(DeadLetterQueue.DeadLetter::eventId).contains(eventId);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200).body("status", equalTo("success")).body("auth_subject", equalTo("dev-user")));
        // a later event on the same partition: once the audit consumer recorded it, it is past the replayed one
        String markerId = PrefixedId.next(PrefixedId.INVOCATION);
        events.send(PrefixedId.next(PrefixedId.EVENT), invocationId, invocation(markerId, org));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .queryParam("subject", invocationId).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(2)));

        assertThat(InvocationEvents.deadLetters(eventId)).singleElement()
                .satisfies(letter -> assertThat(letter.consumer()).isEqualTo("lineage"));
        assertThat(dlq.replay(InvocationEvents.TOPIC)).extracting(DeadLetterQueue.DeadLetter::eventId)
                .doesNotContain(eventId);
    }

    private static void takeInvocationId(String invocationId, String org) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement insert = db.prepareStatement("insert into lineage_record (invocation_id,"
                        + " organization_id, status, external_agent_id, created_at, request_timestamp)"
                        + " values (?, ?, 'taken', 'agt_x', ?, ?)")) {
            insert.setString(1, invocationId);
            insert.setString(2, org);
            insert.setTimestamp(3, Timestamp.from(Instant.now()));
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private static void releaseInvocationId(String invocationId) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement delete = db.prepareStatement("delete from lineage_record where invocation_id = ?")) {
            delete.setString(1, invocationId);
            delete.executeUpdate();
        }
    }
}
