package io.kaizen.devstack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The records consumers gave up on ({@code <topic>.dlq}), for {@code ./kaizen dlq list|replay <topic>}. Replay
 * republishes each record not replayed before to the topic it came from, with its original key, value and CloudEvents
 * headers; consumers deduplicate by event id, so a consumer that had processed the event ignores it. A replayed
 * record that fails again comes back to the dead-letter topic as a new record.
 */
public final class DeadLetterQueue {

    /** The consumer group whose committed offsets mark what was replayed. */
    public static final String REPLAY_GROUP = "kaizen.dlq.replay";
    /** Headers the connector and the consumer base add when dead-lettering; replay drops them. */
    private static final List<String> DEAD_LETTER_PREFIXES = List.of("dead-letter-", "kaizen-dead-letter-");
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** One dead-lettered record as {@code list} shows it. */
    public record DeadLetter(int partition, long offset, String key, String eventId, String type, String consumer,
            String topic, String reason) {
    }

    private final String bootstrap;

    public DeadLetterQueue(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** {@code kaizen.invocations.v1} and {@code kaizen.invocations.v1.dlq} both name the same dead-letter topic. */
    public static String dlqOf(String topic) {
        return topic.endsWith(Topics.DLQ_SUFFIX) ? topic : Topics.dlq(topic);
    }

    /** Every record now in the topic's dead-letter topic. */
    public List<DeadLetter> list(String topic) {
        try (KafkaConsumer<String, String> consumer = consumer(null)) {
            List<TopicPartition> partitions = partitions(consumer, dlqOf(topic));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return readToEnd(consumer, partitions).stream().map(DeadLetterQueue::describe).toList();
        }
    }

    /** Republishes the records not replayed yet; returns them. */
    public List<DeadLetter> replay(String topic) {
        String dlq = dlqOf(topic);
        try (KafkaConsumer<String, String> consumer = consumer(REPLAY_GROUP);
                KafkaProducer<String, String> producer = producer()) {
            List<TopicPartition> partitions = partitions(consumer, dlq);
            consumer.assign(partitions);
            List<ConsumerRecord<String, String>> records = readToEnd(consumer, partitions);
            List<Future<?>> sends = new ArrayList<>();
            Map<TopicPartition, OffsetAndMetadata> replayed = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                sends.add(producer.send(new ProducerRecord<>(originalTopic(record), null, record.key(), record.value(),
                        originalHeaders(record))));
                replayed.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            }
            for (Future<?> send : sends) {
                send.get();
            }
            // offsets move only once every record is on its topic: an interrupted replay is replayed again
            consumer.commitSync(replayed);
            return records.stream().map(DeadLetterQueue::describe).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replay of " + dlq + " interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("replay of " + dlq + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    private KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, READ_TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("no topic " + topic);
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    /** Reads from the consumer's positions up to each partition's end as it was when the read began. */
    private static List<ConsumerRecord<String, String>> readToEnd(KafkaConsumer<String, String> consumer,
            List<TopicPartition> partitions) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, READ_TIMEOUT);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, READ_TIMEOUT) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + partitions.get(0).topic() + " to its end within " + READ_TIMEOUT);
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(250))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    records.add(record);
                }
            }
        }
        return records;
    }

    private static String originalTopic(ConsumerRecord<?, ?> record) {
        String topic = TopicReader.header(record, "dead-letter-topic");
        if (topic != null) {
            return topic;
        }
        return record.topic().substring(0, record.topic().length() - Topics.DLQ_SUFFIX.length());
    }

    private static RecordHeaders originalHeaders(ConsumerRecord<?, ?> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (DEAD_LETTER_PREFIXES.stream().noneMatch(header.key()::startsWith)) {
                headers.add(header);
            }
        }
        return headers;
    }

    private static DeadLetter describe(ConsumerRecord<String, String> record) {
        return new DeadLetter(record.partition(), record.offset(), record.key(), TopicReader.header(record, "ce_id"),
                TopicReader.header(record, "ce_type"), TopicReader.header(record, "kaizen-dead-letter-consumer"),
                originalTopic(record), TopicReader.header(record, "dead-letter-reason"));
    }
}
