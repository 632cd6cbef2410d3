package io.kaizen.gateway.messaging;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.gateway.client.AgentDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Drops agents from the gateway's cache ({@link AgentDirectory}) as registry announces their changes on
 * {@code kaizen.agents.v1}.
 * <p>
 * Each replica has its own cache, so each replica must read every event: the consumer group is this replica's
 * alone (a random id made at start), it starts at the end of the topic and commits nothing, since a replica starts
 * with an empty cache and nothing published before its start concerns it. Whenever partitions are (re)assigned, or
 * the consumer fails, events may have been missed, so the whole cache is dropped.
 * <p>
 * Not an {@code EventConsumer}: that base deduplicates by event id and dead-letters poison records so that an
 * effect happens once and nothing is skipped silently. Dropping an entry is harmless to repeat, and a record that
 * cannot be read drops the agent its key names, so there is nothing to deduplicate, retry or dead-letter here (the
 * consumers that keep state from this topic do that).
 */
@ApplicationScoped
public class AgentCacheInvalidation {

    private static final Logger LOG = Logger.getLogger(AgentCacheInvalidation.class);
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(5);

    private final AgentDirectory directory;
    private final Map<String, Object> kafka;
    private final String group = "adapter-gateway.agent-cache." + UUID.randomUUID();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean listening;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    AgentCacheInvalidation(AgentDirectory directory, @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.directory = directory;
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this::run, "agent-cache-invalidation");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped.countDown();
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        try {
            if (thread != null) {
                thread.join(Duration.ofSeconds(10).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the consumer holds its partitions and reads from them: every event published from now on is seen. */
    public boolean listening() {
        return listening;
    }

    /** Any {@code agent.*} event, except the audit of the gateway's own read: it changes nothing, and dropping on it
     * would make every cache fill empty the entry it had just filled. */
    static boolean changesAnAgent(String type) {
        return type.startsWith(EventTypes.AGENT_PREFIX) && !type.equals(EventTypes.AGENT_CREDENTIALS_ACCESSED);
    }

    private void run() {
        while (stopped.getCount() > 0) {
            try (KafkaConsumer<String, String> current = new KafkaConsumer<>(config(), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer = current;
                current.subscribe(List.of(Topics.AGENTS), new Rebalance(current));
                while (stopped.getCount() > 0) {
                    for (ConsumerRecord<String, String> record : current.poll(POLL)) {
                        apply(record);
                    }
                }
            } catch (WakeupException e) {
                // stopping
            } catch (RuntimeException e) {
                listening = false;
                directory.forgetAll();
                LOG.warnf("agent events unreadable, agent cache emptied; trying again in %d s: %s",
                        PAUSE_AFTER_FAILURE.toSeconds(), e.toString());
                pause();
            } finally {
                listening = false;
                consumer = null;
            }
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        String agentId;
        try {
            CloudEvent event = CloudEvent.from(record);
            if (!changesAnAgent(event.type())) {
                return;
            }
            agentId = event.subject() != null ? event.subject() : record.key();
        } catch (RuntimeException e) {
            // it may have been a change of the agent its key names (the key is the agent id): drop that one
            LOG.debugf("unreadable record %s/%d@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            agentId = record.key();
        }
        if (agentId != null) {
            directory.forget(agentId);
        }
    }

    private Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    private void pause() {
        try {
            stopped.await(PAUSE_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped.countDown();
        }
    }

    /** Partitions (re)assigned: the events of the time in between may be lost, so nothing cached is trusted. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final KafkaConsumer<String, String> consumer;

        Rebalance(KafkaConsumer<String, String> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            listening = false;
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            listening = false;
            directory.forgetAll();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // positions first: every event after them is read, everything cached before them is dropped
            partitions.forEach(consumer::position);
            directory.forgetAll();
            listening = true;
            LOG.debugf("agent cache follows %s from %d partitions", Topics.AGENTS, partitions.size());
        }
    }
}
