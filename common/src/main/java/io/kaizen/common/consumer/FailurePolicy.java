package io.kaizen.common.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What happens when a consumer cannot process a record: a transient failure is retried with back-off, holding the
 * partition, for at most {@code kaizen.consumer.retry.give-up-after}; a deterministic one, or a transient one
 * still failing then, sends the record to {@code <its topic>.dlq} with the reason in {@code dead-letter-reason}
 * and the consumer in {@code kaizen-dead-letter-consumer}, counts it in {@code kaizen_events_dead_lettered_total},
 * and the consumer moves on.
 */
@ApplicationScoped
public class FailurePolicy {

    public static final String CONSUMER_HEADER = "kaizen-dead-letter-consumer";
    public static final String DLQ_SUFFIX = ".dlq";
    static final String DEAD_LETTERED = "kaizen.events.dead.lettered";
    private static final String MAX_AGE = "throttled.unprocessed-record-max-age.ms";
    private static final Logger LOG = Logger.getLogger(FailurePolicy.class);

    private final ConsumerRetryConfig retry;
    private final MeterRegistry registry;

    FailurePolicy(ConsumerRetryConfig retry, MeterRegistry registry) {
        this.retry = retry;
        this.registry = registry;
    }

    /**
     * Runs {@code attempt}, again after each transient failure, until it passes or the retry time is over. The
     * first transient failure of a record is logged, so a held partition is seen.
     */
    public Uni<Void> retryTransient(String consumer, IncomingKafkaRecordMetadata<?, ?> record,
            Supplier<Uni<Void>> attempt) {
        long giveUpAt = System.nanoTime() + retry.giveUpAfter().toNanos();
        AtomicBoolean logged = new AtomicBoolean();
        return limited(Uni.createFrom().deferred(attempt::get))
                .onFailure(failure -> FailureKind.of(failure) == FailureKind.TRANSIENT && !logged.getAndSet(true))
                .invoke(failure -> LOG.warnf("%s: record %s-%d@%d holds its partition, retrying for up to %s: %s",
                        consumer, record.getTopic(), record.getPartition(), record.getOffset(), retry.giveUpAfter(),
                        FailureKind.reason(failure)))
                .onFailure(failure -> FailureKind.of(failure) == FailureKind.TRANSIENT && System.nanoTime() < giveUpAt)
                .retry().withBackOff(retry.initialBackOff(), retry.maxBackOff()).indefinitely();
    }

    /** One attempt, failed with a {@link TimeoutException} (a transient failure) when it hangs. */
    public <T> Uni<T> limited(Uni<T> attempt) {
        return attempt.ifNoItem().after(retry.attemptTimeout())
                .failWith(() -> new TimeoutException("attempt took longer than " + retry.attemptTimeout()));
    }

    /** Sends the record to its topic's dead-letter topic; the connector then acknowledges it. */
    public Uni<Void> deadLetter(Message<?> message, IncomingKafkaRecordMetadata<?, ?> record, String consumer,
            Throwable failure) {
        FailureKind kind = FailureKind.of(failure);
        String reason = (kind == FailureKind.TRANSIENT ? "still failing after " + retry.giveUpAfter() + ": " : "")
                + FailureKind.reason(failure);
        Counter.builder(DEAD_LETTERED)
                .description("Records a consumer gave up on and sent to the dead-letter topic")
                .tag("channel", channel(record.getChannel()))
                .tag("topic", record.getTopic())
                .register(registry)
                .increment();
        LOG.warnf("%s: record %s-%d@%d (event %s) sent to %s: %s", consumer, record.getTopic(), record.getPartition(),
                record.getOffset(), header(record, "ce_id"), record.getTopic() + DLQ_SUFFIX, reason);
        RecordHeaders headers = new RecordHeaders();
        headers.add(CONSUMER_HEADER, consumer.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<?> target = OutgoingKafkaRecordMetadata.builder()
                .withTopic(record.getTopic() + DLQ_SUFFIX)
                .withHeaders(headers)
                .build();
        return Uni.createFrom().completionStage(() -> message.nack(new DeadLetteredException(reason, failure),
                Metadata.of(target)));
    }

    /**
     * The channel as configured: a channel with {@code concurrency} N runs N consumers named {@code <channel>$1} to
     * {@code <channel>$N}, and its dead letters are counted as the one channel's.
     */
    static String channel(String name) {
        int copy = name.lastIndexOf('$');
        return copy > 0 && copy < name.length() - 1 && name.substring(copy + 1).chars().allMatch(Character::isDigit)
                ? name.substring(0, copy) : name;
    }

    /**
     * Refuses to start with an incoming Kafka channel configured against the way this policy works
     * ({@link #channelProblems}).
     */
    void checkChannels(@Observes StartupEvent event, Config config) {
        List<String> problems = channelProblems(config,
                retry.giveUpAfter().plus(retry.maxBackOff()).plus(retry.attemptTimeout()));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /**
     * What is wrong with each incoming Kafka channel: a record held longer than the connector's unprocessed-record
     * limit makes the connector fail the whole channel, so that limit must be off (0) or above the longest time this
     * policy holds a record ({@code longestHold}); and a channel must name its topics. One that does not reads a topic
     * of its own name: Quarkus gives an {@code @Incoming} method whose channel has no configuration the one connector
     * there is, so a consumer class left behind by a change (or a channel name misspelt in the configuration) would
     * read a topic nobody writes, with no error.
     */
    static List<String> channelProblems(Config config, Duration longestHold) {
        List<String> problems = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith("mp.messaging.incoming.") || !name.endsWith(".connector")
                    || !"smallrye-kafka".equals(config.getOptionalValue(name, String.class).orElse(null))) {
                continue;
            }
            String channel = name.substring("mp.messaging.incoming.".length(), name.length() - ".connector".length());
            String prefix = "mp.messaging.incoming." + channel + ".";
            long maxAge = config.getOptionalValue(prefix + MAX_AGE, Long.class)
                    .or(() -> config.getOptionalValue("mp.messaging.connector.smallrye-kafka." + MAX_AGE, Long.class))
                    .orElse(60_000L);
            if (maxAge > 0 && maxAge <= longestHold.toMillis()) {
                problems.add("channel " + channel + ": " + MAX_AGE + " (" + maxAge
                        + ") must be 0 or above the longest hold of a retried record (" + longestHold.toMillis()
                        + " ms: kaizen.consumer.retry.give-up-after + max-back-off + attempt-timeout)");
            }
            if (config.getOptionalValue(prefix + "topic", String.class).isEmpty()
                    && config.getOptionalValue(prefix + "topics", String.class).isEmpty()) {
                problems.add("channel " + channel + " names no topic: set " + prefix + "topics (an @Incoming method"
                        + " whose channel has no configuration is given the Kafka connector and a topic of its name)");
            }
        }
        return problems;
    }

    private static String header(IncomingKafkaRecordMetadata<?, ?> record, String name) {
        return Optional.ofNullable(record.getHeaders().lastHeader(name))
                .map(h -> new String(h.value(), StandardCharsets.UTF_8)).orElse("?");
    }
}
