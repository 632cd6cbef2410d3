package io.kaizen.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Registry's agent events on the devstack's Kafka, as its outbox relay publishes them: keyed by the agent, the
 * CloudEvents attributes in {@code ce_*} headers, the {@code AgentEvent} as JSON value. All go to one partition
 * in the order given, so a later record being seen proves the earlier ones were read.
 */
final class AgentEvents {

    private static final int PARTITION = 0;

    private AgentEvents() {
    }

    /** An agent event of that type about the agent, as it is now in registry. */
    static ProducerRecord<String, String> event(String type, String agentId, String organizationId, String status,
            String changedField) {
        Instant now = Instant.now();
        String data = new JsonObject()
                .put("agent_id", agentId)
                .put("organization_id", organizationId)
                .put("name", "Test agent " + agentId)
                .put("platform", "custom_http")
                .put("status", status)
                .put("environment", "production")
                .put("tags", new JsonArray())
                .put("actor", "user-" + organizationId)
                .put("occurred_at", now.toString())
                .put("changed_fields", new JsonArray(List.of(changedField)))
                .encode();
        CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/registry-service", type, agentId,
                organizationId, now, data);
        return new ProducerRecord<>(Topics.AGENTS, PARTITION, agentId, data, event.headers());
    }

    /** A record no consumer can read as an event: no CloudEvents headers, and a value that is not JSON. */
    static ProducerRecord<String, String> unreadable(String key) {
        return new ProducerRecord<>(Topics.AGENTS, PARTITION, key, "{not an event");
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
            throw new IllegalStateException("could not publish to " + Topics.AGENTS, e);
        }
    }
}
