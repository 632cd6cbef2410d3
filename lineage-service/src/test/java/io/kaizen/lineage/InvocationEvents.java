package io.kaizen.lineage;

import static io.restassured.RestAssured.given;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

/**
 * Publishes {@code invocation.*} events straight to Kafka with the CloudEvents headers the outbox relay writes, and
 * reads what the consumers made of them. A bean of the test application, so tests inject it and share its producer.
 */
@Singleton
class InvocationEvents {

    static final String TOPIC = "kaizen.invocations.v1";
    private static final Pattern DEAD_LETTERED = Pattern.compile(
            "kaizen_events_dead_lettered_total\\{channel=\"invocations\",topic=\"kaizen\\.invocations\\.v1\"[^}]*} ([0-9.E]+)");

    private final KafkaProducer<String, String> producer;
    /** Holds records until flushed, so records sent together reach the broker in one request and one poll. */
    private final KafkaProducer<String, String> together;
    private final ObjectMapper mapper;

    InvocationEvents(ObjectMapper mapper) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "600000");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "4194304");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "16777216");
        this.together = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
        this.mapper = mapper;
    }

    static InvocationEvent invocation(String invocationId, String org, String userAgent) {
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        return new InvocationEvent(invocationId, org, "success",
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", "Jane", null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", "parent-trace", "{\"tenant\":\"acme\"}"),
                new InvocationEvent.KaizenAuth("jwt", "dev-user", null, null, org, "team-9"),
                new InvocationEvent.Agent("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "Sales bot", "custom_http",
                        "https://agents.example.com", null),
                new InvocationEvent.Trace("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "parent-trace"),
                new InvocationEvent.RequestContext("203.0.113.7", userAgent, now),
                new InvocationEvent.Governance("ALLOW", "dec_1", null, null, null, null),
                new InvocationEvent.Result(now.plusMillis(120), 120L, new BigDecimal("0.05"), 200, null, null));
    }

    static InvocationEvent invocation(String invocationId, String org) {
        return invocation(invocationId, org, "curl/8");
    }

    /** Sends a record as it is, whatever it holds, to partition 0. */
    void sendRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(TOPIC, 0, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish the record keyed " + key, e);
        }
    }

    /** Sends a completed-invocation event to partition 0, keyed and headed as the relay does. */
    void send(String eventId, String key, InvocationEvent data) {
        try {
            producer.send(record(eventId, key, data)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + eventId, e);
        }
    }

    /** A completed-invocation event for partition 0, keyed and headed as the relay does. */
    ProducerRecord<String, String> record(String eventId, String key, InvocationEvent data) {
        try {
            return record(eventId, key, data.organizationId(), mapper.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends an event of the given {@code invocation.*} type to partition 0, keyed and headed as the relay does. */
    void sendAs(String eventId, String type, InvocationEvent data) {
        sendAs(eventId, type, data, Instant.now());
    }

    /** Sends an event of the given type that occurred at {@code time}, to partition 0, as the relay does. */
    void sendAs(String eventId, String type, InvocationEvent data, Instant time) {
        try {
            CloudEvent event = new CloudEvent(eventId, "/kaizen/adapter-gateway", type, data.invocationId(),
                    data.organizationId(), time, mapper.writeValueAsString(data));
            producer.send(new ProducerRecord<>(TOPIC, 0, data.invocationId(), event.data(), event.headers())).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + eventId, e);
        }
    }

    /** Sends an event of any type and data to partition 0 of {@code topic}, keyed and headed as the relay does. */
    void sendTo(String topic, String eventId, String type, String key, String org, Object data, Instant time) {
        try {
            CloudEvent event = new CloudEvent(eventId, "/kaizen/test", type, key, org, time,
                    mapper.writeValueAsString(data));
            producer.send(new ProducerRecord<>(topic, 0, key, event.data(), event.headers())).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + eventId, e);
        }
    }

    /** A completed-invocation event for partition 0 with well-formed CloudEvents headers and {@code data} as it is. */
    static ProducerRecord<String, String> record(String eventId, String key, String org, String data) {
        CloudEvent event = new CloudEvent(eventId, "/kaizen/adapter-gateway", EventTypes.INVOCATION_COMPLETED, key, org,
                Instant.now(), data);
        return new ProducerRecord<>(TOPIC, 0, key, event.data(), event.headers());
    }

    /** Sends records in one request, so the broker appends them at once and the consumer polls them in one batch. */
    void sendTogether(List<ProducerRecord<String, String>> records) {
        List<Future<?>> sent = records.stream().<Future<?>>map(together::send)
                .toList();
        together.flush();
        try {
            for (Future<?> send : sent) {
                send.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not publish " + records.size() + " records together", e);
        }
    }

    static List<DeadLetterQueue.DeadLetter> deadLetters(String eventId) {
        return new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap()).list(TOPIC).stream()
                .filter(letter -> eventId.equals(letter.eventId()))
                .toList();
    }

    /** {@code kaizen_events_dead_lettered_total} of the invocations channel, 0 before its first dead letter. */
    static double deadLetteredCount() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = DEAD_LETTERED.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static String token(String org, String role) {
        return DevStackTestResource.stack().keys().token(org, List.of(role), role + "-1", null, Duration.ofMinutes(5));
    }

    static String token(String org) {
        return DevStackTestResource.stack().keys().token(org, List.of("auditor"), "auditor-1", null, Duration.ofMinutes(5));
    }

    @PreDestroy
    void close() {
        producer.close();
        together.close();
    }
}
