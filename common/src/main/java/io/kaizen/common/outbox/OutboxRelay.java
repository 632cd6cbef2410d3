package io.kaizen.common.outbox;

import java.time.Instant;
import java.util.List;

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
 * Publishes outbox rows to Kafka at least once. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} so replicas
 * never publish the same batch together; a row is marked published only after the broker acknowledged it, and a
 * failed row stays pending for the next round (consumers deduplicate by event id).
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final String CLAIM = "select * from outbox_event where published_at is null"
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

    private Uni<Void> publishAll(List<OutboxEvent> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = rows.stream().map(this::publish).toList();
        return Uni.join().all(sends).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull().replaceWithVoid();
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
