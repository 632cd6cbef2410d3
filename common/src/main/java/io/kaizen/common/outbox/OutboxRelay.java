package io.kaizen.common.outbox;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.kaizen.common.events.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Publishes outbox rows to Kafka at least once, in order per aggregate key. Rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED} and a transaction-scoped advisory lock on their key, so replicas never publish the
 * same rows, nor rows of the same key, together. A key's rows are sent one after another; a row is marked published
 * only after the broker acknowledged it, and a row that fails stays pending with the key's later rows behind it,
 * so the next round sends them in their order again (consumers deduplicate by event id).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The claim every replica runs: the oldest pending rows of keys no other replica is publishing. */
    public static final String CLAIM = "select * from outbox_event where published_at is null"
            + " and pg_try_advisory_xact_lock(hashtext('outbox_event'), hashtext(coalesce(event_key, id)))"
            + " order by occurred_at, id limit :limit for update skip locked";

    private final MutinyEmitter<String> emitter;
    private final int batchSize;
    /** Set once the service is stopping: the channel is being torn down and rows wait for the next start. */
    private volatile boolean stopping;

    OutboxRelay(@Channel("outbox") MutinyEmitter<String> emitter,
            @ConfigProperty(name = "kaizen.outbox.batch-size", defaultValue = "200") int batchSize) {
        this.emitter = emitter;
        this.batchSize = batchSize;
    }

    @Scheduled(every = "${kaizen.outbox.poll-interval:1s}", delayed = "${kaizen.outbox.start-delay:3s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        if (stopping) {
            return Uni.createFrom().voidItem();
        }
        return round().chain(drained -> drained ? Uni.createFrom().voidItem() : relay())
                .onFailure().invoke(e -> LOG.warnf("outbox relay round failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Publishes one batch in one transaction. True when nothing is left for now: the batch was not full, or a
     * send failed (the broker is away; the next tick tries again). A full batch is followed at once by another,
     * so throughput is not capped at one batch per tick.
     */
    private Uni<Boolean> round() {
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, OutboxEvent.class)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> publishAll(rows)
                        .map(ignored -> rows.size() < batchSize || rows.stream().anyMatch(r -> r.publishedAt == null)))));
    }

    void onShutdown(@Observes ShutdownEvent event) {
        stopping = true;
    }

    /** Keys in parallel, each key's rows in order. */
    private Uni<Void> publishAll(List<OutboxEvent> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> keys = rows.stream()
                .collect(Collectors.groupingBy(row -> row.key != null ? row.key : row.id, LinkedHashMap::new,
                        Collectors.toList()))
                .values().stream().map(this::publishInOrder).toList();
        return Uni.join().all(keys).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** A failed row stops its key: the rows after it must not reach consumers before it. */
    private Uni<Void> publishInOrder(List<OutboxEvent> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (OutboxEvent row : rows) {
            chain = chain.chain(() -> publish(row));
        }
        return chain;
    }

    private Uni<Void> publish(OutboxEvent row) {
        CloudEvent event = new CloudEvent(row.id, row.source, row.type, row.subject, row.organizationId,
                row.occurredAt, row.payload);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.topic)
                .withKey(row.key)
                .withHeaders(event.headers())
                .build();
        return emitter.sendMessage(Message.of(row.payload).addMetadata(metadata))
                .invoke(() -> row.publishedAt = Instant.now())
                .onFailure().invoke(e -> {
                    row.attempts++;
                    row.lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.debugf("event %s not published yet: %s", row.id, e.getMessage());
                });
    }
}
