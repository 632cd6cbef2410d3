package io.kaizen.governance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.devstack.DevStackTestResource;

/** Direct looks at governance's database and Kafka, for what the API does not show (outbox rows, events in). */
final class Ledger {

    private Ledger() {
    }

    /** Types of the outbox events whose key (subject) is {@code subject}, oldest first. */
    static List<String> outboxTypes(String subject) throws Exception {
        return outbox("type", subject, null);
    }

    /** Payloads of the outbox events of one type and subject. */
    static List<String> outboxPayloads(String subject, String type) throws Exception {
        return outbox("payload", subject, type);
    }

    private static List<String> outbox(String column, String subject, String type) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"), "kaizen",
                "kaizen");
                PreparedStatement query = db.prepareStatement("select " + column + " from outbox_event"
                        + " where subject = ? and (cast(? as text) is null or type = ?) order by occurred_at, id")) {
            query.setString(1, subject);
            query.setString(2, type);
            query.setString(3, type);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    /** Publishes an invocation event the way the gateway's outbox relay does. */
    static void publishInvocation(String eventId, String type, String organizationId, String invocationId, String data) {
        Properties config = new Properties();
        config.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        config.put("key.serializer", StringSerializer.class.getName());
        config.put("value.serializer", StringSerializer.class.getName());
        CloudEvent event = new CloudEvent(eventId, "/kaizen/test", type, invocationId, organizationId, Instant.now(), data);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            ProducerRecord<String, String> record = new ProducerRecord<>("kaizen.invocations.v1", invocationId, data);
            for (Header header : event.headers()) {
                record.headers().add(header.key(), header.value());
            }
            producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + eventId, e);
        }
    }

    static String invocationData(String invocationId, String organizationId, String agentId, String userId,
            String reservationId, String cost) {
        return """
                {"invocation_id": "%s", "organization_id": "%s", "status": "success",
                 "external_user": {"id": "%s"}, "agent": {"id": "%s", "name": "a", "platform": "custom_http"},
                 "governance": {"decision": "ALLOW", "reservation_id": "%s"},
                 "result": {"cost_usd": %s}}
                """.formatted(invocationId, organizationId, userId, agentId, reservationId, cost);
    }
}
