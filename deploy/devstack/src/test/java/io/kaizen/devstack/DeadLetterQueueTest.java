package io.kaizen.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.StreamSupport;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code ./kaizen dlq list|replay} against the stack's real broker. */
class DeadLetterQueueTest {

    private static final String TOPIC = Topics.NOTIFICATIONS;
    private static DevStack stack;

    @BeforeAll
    static void startStack() {
        stack = DevStack.shared();
    }

    @Test
    void deadLettersAreListedAndReplayedToTheirTopicOnce() throws Exception {
        String key = "dl-" + UUID.randomUUID();
        deadLetter(key, "evt_1" + key, "SQLState 22001: value too long");
        deadLetter(key, "evt_2" + key, "event evt_2 has unreadable data");
        DeadLetterQueue queue = new DeadLetterQueue(stack.kafkaBootstrap());

        assertThat(queue.list(TOPIC)).filteredOn(letter -> key.equals(letter.key()))
                .extracting(DeadLetterQueue.DeadLetter::eventId, DeadLetterQueue.DeadLetter::type,
                        DeadLetterQueue.DeadLetter::consumer, DeadLetterQueue.DeadLetter::topic,
                        DeadLetterQueue.DeadLetter::reason)
                .containsExactly(
                        tuple("evt_1" + key, "kaizen.notification.requested.v1",
                                "gateway.notifications", TOPIC, "SQLState 22001: value too long"),
                        tuple("evt_2" + key, "kaizen.notification.requested.v1",
                                "gateway.notifications", TOPIC, "event evt_2 has unreadable data"));

        assertThat(queue.replay(Topics.dlq(TOPIC))).extracting(DeadLetterQueue.DeadLetter::eventId)
                .containsSubsequence("evt_1" + key, "evt_2" + key);
        List<ConsumerRecord<String, String>> replayed = TopicReader.await(stack.kafkaBootstrap(), TOPIC,
                r -> key.equals(r.key()), 2, Duration.ofSeconds(60));
        assertThat(replayed).extracting(ConsumerRecord::value).containsExactly("{\"n\":\"evt_1" + key + "\"}",
                "{\"n\":\"evt_2" + key + "\"}");
        assertThat(replayed).allSatisfy(record -> {
            assertThat(TopicReader.header(record, "ce_specversion")).isEqualTo("1.0");
            assertThat(headerNames(record)).noneMatch(name -> name.startsWith("dead-letter-")
                    || name.startsWith("kaizen-dead-letter-"));
        });

        assertThat(queue.replay(TOPIC)).extracting(DeadLetterQueue.DeadLetter::key).doesNotContain(key);
        assertThat(queue.list(TOPIC)).filteredOn(letter -> key.equals(letter.key())).hasSize(2);
    }

    @Test
    void theKaizenDlqCommandListsWhatIsThere() throws Exception {
        String key = "cli-" + UUID.randomUUID();
        deadLetter(key, "evt_3" + key, "SQLState 23505: duplicate key");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Main.main(new String[] {"dlq", "list", TOPIC, "--bootstrap", stack.kafkaBootstrap(),
                    "--root", stack.root().toString()});
        } finally {
            System.setOut(original);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("in " + Topics.dlq(TOPIC))
                .contains("key=" + key + "  event=evt_3" + key + "  type=kaizen.notification.requested.v1"
                        + "  consumer=gateway.notifications  topic=" + TOPIC)
                .contains("reason: SQLState 23505: duplicate key");
    }

    /** A record as the connector writes it when a consumer nacks it. */
    private static void deadLetter(String key, String eventId, String reason) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        add(headers, "ce_specversion", "1.0");
        add(headers, "ce_id", eventId);
        add(headers, "ce_type", "kaizen.notification.requested.v1");
        add(headers, "ce_source", "/kaizen/test");
        add(headers, "dead-letter-exception-class-name", "io.kaizen.common.consumer.DeadLetteredException");
        add(headers, "dead-letter-reason", reason);
        add(headers, "dead-letter-topic", TOPIC);
        add(headers, "dead-letter-partition", "0");
        add(headers, "dead-letter-offset", "7");
        add(headers, "kaizen-dead-letter-consumer", "gateway.notifications");
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.dlq(TOPIC), 0, key, "{\"n\":\"" + eventId + "\"}", headers)).get();
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> headerNames(ConsumerRecord<?, ?> record) {
        return StreamSupport.stream(record.headers().spliterator(), false).map(Header::key).toList();
    }
}
