package io.kaizen.common.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.reactive.InOrder;
import io.opentelemetry.api.trace.Span;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.common.vertx.CommitListener;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.common.vertx.Rounds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Publishes outbox rows to Kafka at least once, in order per aggregate key. Rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED} and a transaction-scoped advisory lock on their key, so replicas never publish the
 * same rows, nor rows of the same key, together. A key's rows are sent one after another; a row is marked published
 * only after the broker acknowledged it, and a row that fails stays pending with the key's later rows behind it,
 * so the next round sends them in their order again (consumers deduplicate by event id).
 *
 * <p>Rounds run when a writer's transaction commits: the relay LISTENs on {@link Outbox#CHANNEL} (through the
 * service's {@link CommitListener}), which every writer notifies in its transaction, and a notification starts a round
 * once {@code kaizen.outbox.gather} (20 ms) has passed, for every commit notified meanwhile: a round costs a
 * transaction whatever it holds, and events are not on the path of any answer. A timed poll remains as a
 * safety net: a notification sent while the listening connection is down (or being reconnected) is lost, and rows
 * of a failed send wait for a later round. Rounds never overlap in one process; a wake-up during a round makes one more round follow it.
 *
 * <p>Each event is sent with the trace context its row kept ({@code ce_traceparent}, {@code ce_tracestate}) in a
 * publish span of that trace, not of the round's.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** The claim every replica runs: the oldest pending rows of keys no other replica is publishing. */
    public static final String CLAIM = "select * from outbox_event where published_at is null"
            + " and pg_try_advisory_xact_lock(hashtext('outbox_event'), hashtext(coalesce(event_key, id)))"
            + " order by occurred_at, id limit :limit for update skip locked";
    private static final String MARK_PUBLISHED = "update outbox_event set published_at = :at where id in "
            + JsonIds.in("ids");

    private final MutinyEmitter<String> emitter;
    private final EventSpans spans;
    private final Vertx vertx;
    private final int batchSize;
    private final boolean listen;
    private final CommitListener commits;
    /** How long a commit's wake-up waits for more commits to join its round; 0 runs the round at once. */
    private final long gatherMillis;
    /** Stopped once the service is stopping: the channel is being torn down and rows wait for the next start. */
    private final Rounds rounds;
    private volatile boolean listening;

    OutboxRelay(@Channel("outbox") MutinyEmitter<String> emitter, EventSpans spans, Vertx vertx,
            @ConfigProperty(name = "kaizen.outbox.batch-size", defaultValue = "200") int batchSize,
            @ConfigProperty(name = "kaizen.outbox.listen", defaultValue = "true") boolean listen,
            @ConfigProperty(name = "kaizen.outbox.gather", defaultValue = "20ms") Duration gather,
            CommitListener commits) {
        this.gatherMillis = gather.toMillis();
        this.emitter = emitter;
        this.spans = spans;
        this.vertx = vertx;
        this.batchSize = batchSize;
        this.listen = listen;
        this.commits = commits;
        this.rounds = new Rounds(() -> DetachedContext.run(vertx, this::relay));
    }

    /**
     * The safety net; the relay is normally woken by {@link Outbox#CHANNEL}. Not before the application has started:
     * on a busy machine the first tick can come before Kafka's emitters are connected.
     */
    @Scheduled(every = "${kaizen.outbox.poll-interval:1s}", delayed = "${kaizen.outbox.start-delay:3s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> poll() {
        wake();
        return Uni.createFrom().voidItem();
    }

    /** Whether the relay is listening for commits (LISTEN done on its connection). */
    public boolean listening() {
        return listening;
    }

    /** Runs a round now, or one more after the running one. */
    public void wake() {
        rounds.wake();
    }

    void onStart(@Observes StartupEvent event) {
        if (!listen) {
            LOG.info("outbox relay: not listening for commits (kaizen.outbox.listen=false); polling only");
            return;
        }
        // a commit's wake-up: the round starts once kaizen.outbox.gather has passed, for every commit meanwhile
        commits.listen(Outbox.CHANNEL, payload -> rounds.wakeAfter(vertx, gatherMillis), now -> listening = now);
    }

    void onShutdown(@Observes ShutdownEvent event) {
        rounds.stop();
    }

    /** Rounds until the backlog is drained or a send failed; a failure is logged and left to the next wake-up. */
    private Uni<Void> relay() {
        return InOrder.whileMore(() -> rounds.stopped() ? Uni.createFrom().item(false)
                        : round().map(drained -> !drained))
                // a round cut short by shutdown is no news: its rows wait for the next start
                .onFailure(e -> !rounds.stopped()).invoke(e -> LOG.warnf("outbox relay round failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /**
     * Publishes one batch in one transaction. True when nothing is left for now: the batch was not full, or a
     * send failed (the broker is away; the next wake-up tries again). A full batch is followed at once by another,
     * so throughput is not capped at one batch per wake-up.
     */
    private Uni<Boolean> round() {
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, OutboxEvent.class)
                        .setParameter("limit", batchSize)
                        .getResultList()
                        .chain(rows -> {
                            Set<String> published = ConcurrentHashMap.newKeySet();
                            return publishAll(rows, published)
                                    .chain(() -> markPublished(session, published))
                                    .map(ignored -> rows.size() < batchSize || published.size() < rows.size());
                        }))));
    }

    /**
     * One statement for the round's published rows, instead of an update per row that would send each payload back.
     */
    private static Uni<Void> markPublished(Mutiny.Session session, Set<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createNativeQuery(MARK_PUBLISHED).setParameter("at", Instant.now())
                .setParameter("ids", JsonIds.json(ids)).executeUpdate().replaceWithVoid();
    }

    /** Keys in parallel, each key's rows in order. */
    private Uni<Void> publishAll(List<OutboxEvent> rows, Set<String> published) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> keys = rows.stream()
                .collect(Collectors.groupingBy(row -> row.key != null ? row.key : row.id, LinkedHashMap::new,
                        Collectors.toList()))
                .values().stream().map(keyRows -> publishInOrder(keyRows, published)).toList();
        return Uni.join().all(keys).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** A failed row stops its key: the rows after it must not reach consumers before it. */
    private Uni<Void> publishInOrder(List<OutboxEvent> rows, Set<String> published) {
        return InOrder.each(rows, row -> publish(row).invoke(() -> published.add(row.id)));
    }

    private Uni<Void> publish(OutboxEvent row) {
        CloudEvent event = row.event();
        Span span = spans.publish(row.topic, event);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(row.topic)
                .withKey(row.key)
                .withHeaders(event.headers())
                .build();
        return emitter.sendMessage(Message.of(row.payload).addMetadata(metadata))
                .onFailure().invoke(e -> {
                    // a managed row: the transaction's flush records the failed attempt
                    row.attempts++;
                    row.lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.debugf("event %s not published yet: %s", row.id, e.getMessage());
                })
                .onItemOrFailure().invoke((ignored, failure) -> EventSpans.end(span, failure));
    }
}
