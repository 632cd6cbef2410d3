package io.kaizen.approval;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * approval-service consumes the governance events approvers are told of: each is recorded as processed once, other
 * types are passed over unread, a bad record never stops it.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class GovernanceEventsConsumerTest {

    private static final String TOPIC = "kaizen.governance.v1";
    private static final String CONSUMER = "approval.governance";

    private KafkaProducer<String, String> producer;

    @BeforeEach
    void connect() {
        Properties props = new Properties();
        props.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void close() {
        producer.close();
    }

    @Test
    void aGovernanceEventIsRecordedAsProcessedOnceEvenWhenRedelivered() throws Exception {
        String agent = PrefixedId.next(PrefixedId.AGENT);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        publish(eventId, agent);
        publish(eventId, agent);
        String later = PrefixedId.next(PrefixedId.EVENT);
        publish(later, agent);

        await().atMost(Duration.ofSeconds(60)).until(() -> processedCount(later) == 1);
        assertThat(processedCount(eventId)).isEqualTo(1);
        assertThat(deadLetters().list(TOPIC)).noneMatch(letter -> eventId.equals(letter.eventId()));
    }

    @Test
    void aRecordThatIsNotACloudEventIsDeadLetteredAndTheNextEventIsRecorded() throws Exception {
        String key = "junk-" + UUID.randomUUID();
        producer.send(new ProducerRecord<>(TOPIC, 0, key, "{not a cloud event")).get();
        String next = PrefixedId.next(PrefixedId.EVENT);
        publish(next, key);

        await().atMost(Duration.ofSeconds(60)).until(() -> processedCount(next) == 1);
        assertThat(deadLetters().list(TOPIC)).filteredOn(letter -> key.equals(letter.key())).singleElement()
                .satisfies(letter -> {
                    assertThat(letter.consumer()).isEqualTo(CONSUMER);
                    assertThat(letter.topic()).isEqualTo(TOPIC);
                    assertThat(letter.reason()).contains("is not a CloudEvents 1.0 binary-mode event");
                });
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void anEventOfATypeApproversAreNotToldOfIsPassedOverUnreadAndTheNextDenialIsRecorded() throws Exception {
        String agent = PrefixedId.next(PrefixedId.AGENT);
        String evaluated = PrefixedId.next(PrefixedId.EVENT);
        // unreadable data: reading it would dead-letter it, recording it would leave a processed_event row
        CloudEvent event = new CloudEvent(evaluated, "/kaizen/governance-service", EventTypes.DECISION_EVALUATED,
                agent, "org_approval", Instant.now(), "{not json");
        producer.send(new ProducerRecord<>(TOPIC, 0, agent, event.data(), event.headers())).get();
        String denied = PrefixedId.next(PrefixedId.EVENT);
        publish(denied, agent);

        // one partition keeps the order: once the denial is recorded, the evaluated event was seen before it
        await().atMost(Duration.ofSeconds(60)).until(() -> processedCount(denied) == 1);
        assertThat(processedCount(evaluated)).as("the evaluated event is not recorded").isZero();
        assertThat(deadLetters().list(TOPIC)).noneMatch(letter -> evaluated.equals(letter.eventId()));
    }

    /** A decision event as governance's relay publishes it, to partition 0 so the events keep their order. */
    private void publish(String eventId, String agent) throws Exception {
        String data = "{\"decision_id\": \"dec_1\", \"agent_id\": \"" + agent + "\", \"outcome\": \"DENY_RATE\"}";
        CloudEvent event = new CloudEvent(eventId, "/kaizen/governance-service", EventTypes.DECISION_DENIED, agent,
                "org_approval", Instant.now(), data);
        producer.send(new ProducerRecord<>(TOPIC, 0, agent, data, event.headers())).get();
    }

    private static DeadLetterQueue deadLetters() {
        return new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
    }

    private static int processedCount(String eventId) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("approval");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from processed_event where consumer = ? and event_id = ?")) {
            query.setString(1, CONSUMER);
            query.setString(2, eventId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
