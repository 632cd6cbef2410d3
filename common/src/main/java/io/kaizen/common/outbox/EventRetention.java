package io.kaizen.common.outbox;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.kaizen.common.reactive.InOrder;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps {@code outbox_event} and {@code processed_event} from growing without end: on a schedule it deletes
 * published outbox rows and processed-event records older than their retention ({@link RetentionConfig}), in
 * batches of one transaction each. Replicas may run it together: each batch skips rows another one holds.
 */
@ApplicationScoped
public class EventRetention {

    private static final Logger LOG = Logger.getLogger(EventRetention.class);
    private static final String PURGE_OUTBOX = "delete from outbox_event where id in (select id from outbox_event"
            + " where published_at < :cutoff limit :batch for update skip locked)";
    private static final String PURGE_PROCESSED = "delete from processed_event where (consumer, event_id) in"
            + " (select consumer, event_id from processed_event where processed_at < :cutoff limit :batch"
            + " for update skip locked)";

    private final RetentionConfig config;

    EventRetention(RetentionConfig config) {
        this.config = config;
    }

    @Scheduled(every = "${kaizen.retention.interval:1h}", delayed = "${kaizen.retention.start-delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        Instant now = Instant.now();
        return purge(PURGE_OUTBOX, now.minus(config.publishedOutbox()))
                .invoke(deleted -> log(deleted, "published outbox rows"))
                .chain(() -> purge(PURGE_PROCESSED, now.minus(config.processedEvents())))
                .invoke(deleted -> log(deleted, "processed-event records"))
                .onFailure().invoke(e -> LOG.warnf("retention purge failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Integer> purge(String statement, Instant cutoff) {
        return deleteInBatches(statement, cutoff, config.batchSize());
    }

    /**
     * Runs a delete of at most {@code :batch} rows older than {@code :cutoff}, each batch in a transaction of its own,
     * until one comes back short; emits how many rows went.
     */
    public static Uni<Integer> deleteInBatches(String statement, Instant cutoff, int batchSize) {
        AtomicInteger deleted = new AtomicInteger();
        return InOrder.whileMore(() -> Panache.withTransaction(() -> Panache.getSession()
                        .chain(session -> session.createNativeQuery(statement)
                                .setParameter("cutoff", cutoff)
                                .setParameter("batch", batchSize)
                                .executeUpdate()))
                        .map(batch -> {
                            deleted.addAndGet(batch);
                            // a short batch was the last
                            return batch >= batchSize;
                        }))
                .map(ignored -> deleted.get());
    }

    private static void log(int deleted, String what) {
        if (deleted > 0) {
            LOG.infof("retention: deleted %d %s", deleted, what);
        }
    }
}
