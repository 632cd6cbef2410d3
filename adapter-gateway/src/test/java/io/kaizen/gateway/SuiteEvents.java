package io.kaizen.gateway;

import java.time.Instant;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;

/**
 * Events of any service on the devstack's Kafka, as an outbox relay publishes them (CloudEvents binary mode). Each
 * goes to partition 0 of its topic, so events of one topic are read in the order published.
 */
final class SuiteEvents {

    private SuiteEvents() {
    }

    /** An event of that type of the organisation, about {@code subject}, with that JSON data, happening now. */
    static ProducerRecord<String, String> event(String topic, String type, String organizationId, String subject,
            String data) {
        CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/test", type, subject,
                organizationId, Instant.now(), data);
        return new ProducerRecord<>(topic, 0, subject, data, event.headers());
    }

    /** The {@code ce_id} of a record. */
    static String id(ProducerRecord<String, String> record) {
        return new String(record.headers().lastHeader("ce_id").value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @SafeVarargs
    static void publish(ProducerRecord<String, String>... records) {
        Properties config = new Properties();
        config.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        config.put("key.serializer", StringSerializer.class.getName());
        config.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish", e);
        }
    }
}
