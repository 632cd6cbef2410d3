package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.invocation;
import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The lineage and audit consumers take a poll's records as one batch and write it in one transaction. How many
 * transactions wrote the rows is read from PostgreSQL itself: {@code xmin} is the id of the transaction that inserted
 * a row. Records sent together reach the consumer in one poll ({@link InvocationEvents#sendTogether}).
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class BatchConsumptionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofSeconds(1);

    @Inject
    InvocationEvents events;

    @Test
    void aBurstOfFiveHundredEventsIsWrittenInFewerTransactionsThanEvents() throws SQLException {
        String org = "org_" + UUID.randomUUID();
        List<ProducerRecord<String, String>> burst = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
            burst.add(events.record(PrefixedId.next(PrefixedId.EVENT), invocationId, invocation(invocationId, org)));
        }
        events.sendTogether(burst);

        await().atMost(DEADLINE).pollInterval(POLL).until(() -> written("lineage_record", org).rows() == 500
                && written("audit_event", org).rows() == 500);
        assertThat(written("lineage_record", org).transactions()).isLessThan(500);
        assertThat(written("audit_event", org).transactions()).isLessThan(500);
    }

    @Test
    void aPoisonRecordInABatchIsDeadLetteredAloneAndTheOthersAreAppliedOnce() throws SQLException {
        String org = "org_" + UUID.randomUUID();
        double deadLetteredBefore = InvocationEvents.deadLetteredCount();
        List<String> valid = new ArrayList<>();
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        String poisonEvent = PrefixedId.next(PrefixedId.EVENT);
        String poisonKey = PrefixedId.next(PrefixedId.INVOCATION);
        for (int i = 0; i < 4; i++) {
            if (i == 2) {
                batch.add(InvocationEvents.record(poisonEvent, poisonKey, org, "{\"invocation_id\": \"" + poisonKey));
            }
            String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
            valid.add(invocationId);
            batch.add(events.record(PrefixedId.next(PrefixedId.EVENT), invocationId, invocation(invocationId, org)));
        }
        events.sendTogether(batch);

        await().atMost(DEADLINE).pollInterval(POLL).untilAsserted(() -> {
            assertThat(InvocationEvents.deadLetters(poisonEvent)).singleElement().satisfies(letter -> {
                assertThat(letter.consumer()).isEqualTo("lineage");
                assertThat(letter.key()).isEqualTo(poisonKey);
                assertThat(letter.reason()).contains("has unreadable data");
            });
            assertThat(written("lineage_record", org).rows()).isEqualTo(4);
            // the audit log reads no data, so the poison event is recorded there like the others
            assertThat(written("audit_event", org).rows()).isEqualTo(5);
        });
        for (String invocationId : valid) {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + invocationId)
                    .then().statusCode(200).body("status", equalTo("success"));
        }
        assertThat(new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap())
                .list(InvocationEvents.TOPIC))
                .filteredOn(letter -> valid.contains(letter.key()))
                .isEmpty();
        assertThat(InvocationEvents.deadLetteredCount()).isEqualTo(deadLetteredBefore + 1);
    }

    /**
     * Without the processed-event records the redelivered events would fail on the lineage key and send the whole
     * batch down the one-by-one path, where the two new events would be written in two transactions.
     */
    @Test
    void aBatchRedeliveredAfterItWasAppliedChangesNothing() throws SQLException {
        String org = "org_" + UUID.randomUUID();
        double deadLetteredBefore = InvocationEvents.deadLetteredCount();
        List<String> invocationIds = new ArrayList<>();
        List<String> eventIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            invocationIds.add(PrefixedId.next(PrefixedId.INVOCATION));
            eventIds.add(PrefixedId.next(PrefixedId.EVENT));
        }
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(events.record(eventIds.get(i), invocationIds.get(i), invocation(invocationIds.get(i), org)));
        }
        events.sendTogether(first);
        await().atMost(DEADLINE).pollInterval(POLL).until(() -> written("lineage_record", org).rows() == 3
                && written("audit_event", org).rows() == 3);

        // the same events again, carrying other data, with two new ones behind them in the same batch
        List<ProducerRecord<String, String>> again = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            again.add(events.record(eventIds.get(i), invocationIds.get(i), failed(invocationIds.get(i), org)));
        }
        String next1 = PrefixedId.next(PrefixedId.INVOCATION);
        String next2 = PrefixedId.next(PrefixedId.INVOCATION);
        again.add(events.record(PrefixedId.next(PrefixedId.EVENT), next1, invocation(next1, org)));
        again.add(events.record(PrefixedId.next(PrefixedId.EVENT), next2, invocation(next2, org)));
        events.sendTogether(again);

        await().atMost(DEADLINE).pollInterval(POLL).until(() -> written("lineage_record", org).rows() == 5
                && written("audit_event", org).rows() == 5);
        assertThat(written("lineage_record", org).rows()).isEqualTo(5);
        for (String invocationId : invocationIds) {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + invocationId)
                    .then().statusCode(200).body("status", equalTo("success"));
        }
        assertThat(transactionsOf(List.of(next1, next2))).isEqualTo(1);
        for (String eventId : eventIds) {
            assertThat(InvocationEvents.deadLetters(eventId)).isEmpty();
        }
        assertThat(InvocationEvents.deadLetteredCount()).isEqualTo(deadLetteredBefore);
    }

    private static InvocationEvent failed(String invocationId, String org) {
        InvocationEvent event = invocation(invocationId, org);
        return new InvocationEvent(event.invocationId(), event.organizationId(), "failed", event.externalUser(),
                event.externalSystem(), event.kaizenAuth(), event.agent(), event.trace(), event.request(),
                event.governance(), event.result());
    }

    private record Written(long rows, long transactions) {
    }

    /** The organisation's rows in a table and the number of transactions that inserted them. */
    private static Written written(String table, String org) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement("select count(*), count(distinct xmin::text) from "
                        + table + " where organization_id = ?")) {
            query.setString(1, org);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return new Written(result.getLong(1), result.getLong(2));
            }
        }
    }

    private static long transactionsOf(List<String> invocationIds) {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement(
                        "select count(distinct xmin::text) from lineage_record where invocation_id = any(?)")) {
            query.setArray(1, db.createArrayOf("varchar", invocationIds.toArray()));
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
