package io.kaizen.lineage.messaging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.AuditRecordEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.vertx.Rounds;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Publishes the audit log's records to {@code kaizen.audit.v1}, keyed by organisation, straight from
 * {@code audit_event}: a record is written once, in the transaction that chains it, and is its own outbox entry.
 * {@code audit_publication} holds, per organisation, the last seq the broker acknowledged; a round publishes the
 * records after it in seq order and moves it. No row is written per record, only one update per organisation and
 * round.
 * <p>
 * At least once, in order: an organisation's publication row is claimed {@code FOR UPDATE SKIP LOCKED}, so replicas
 * never publish one organisation together; a page of records is sent pipelined on one partition (the idempotent
 * producer keeps their order, retries included), and the mark moves to the last record of the unbroken run that was
 * acknowledged. Anything after a failed send is sent again by a later round; consumers skip a seq they have verified
 * (docs/events.md). Rounds run when this replica's audit transactions commit ({@link #wake}) and, as the safety net
 * and for the records of other replicas and of erasures, every {@code kaizen.lineage.audit.publish-interval} (1s).
 */
@ApplicationScoped
public class AuditPublisher {

    private static final Logger LOG = Logger.getLogger(AuditPublisher.class);
    private static final String SOURCE = "/kaizen/lineage-service";

    /** Organisations with records past their mark that no other replica is publishing. */
    private static final String DUE = "select p.organization_id, p.seq from audit_publication p"
            + " join audit_chain_head h on h.organization_id = p.organization_id"
            + " where h.seq > p.seq order by p.organization_id limit $1 for update of p skip locked";
    private static final String RECORDS = "select organization_id, seq, event_id, type, source, subject, agent_id,"
            + " occurred_at, recorded_at, data, prev_hash, hash from audit_event"
            + " where organization_id = $1 and seq > $2 order by seq limit $3";
    private static final String MARK = "update audit_publication set seq = $2 where organization_id = $1";

    private final Pool pool;
    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;
    private final int page;
    private final int organizations;
    private final Rounds rounds = new Rounds(this::rounds);

    AuditPublisher(Pool pool,
            @Channel("audit-records") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
            MutinyEmitter<String> emitter,
            ObjectMapper mapper,
            @ConfigProperty(name = "kaizen.lineage.audit.publish-page", defaultValue = "1000") int page,
            @ConfigProperty(name = "kaizen.lineage.audit.publish-organizations", defaultValue = "8") int organizations) {
        this.pool = pool;
        this.emitter = emitter;
        this.mapper = mapper;
        this.page = page;
        this.organizations = organizations;
    }

    /** The safety net of {@link #wake}; not before the application has started (its emitter is connected then). */
    @Scheduled(every = "${kaizen.lineage.audit.publish-interval:1s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void poll() {
        wake();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        rounds.stop();
    }

    /** Runs rounds now, or once more after the running ones. */
    public void wake() {
        rounds.wake();
    }

    /** Rounds until nothing is due or a send failed (the next wake-up tries again). */
    private Uni<Void> rounds() {
        return InOrder.whileMore(() -> rounds.stopped() ? Uni.createFrom().item(false)
                        : Uni.createFrom().deferred(this::round))
                .onFailure(e -> !rounds.stopped()).invoke(e -> LOG.warnf("audit publication round failed: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** One transaction: a page of each due organisation. True when more may be due. */
    private Uni<Boolean> round() {
        return pool.withTransaction(connection -> connection.preparedQuery(DUE).execute(Tuple.of(organizations))
                .chain(due -> {
                    List<Uni<Boolean>> published = new ArrayList<>();
                    for (Row row : due) {
                        published.add(publish(connection, row.getString(0), row.getLong(1)));
                    }
                    if (published.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    return Uni.join().all(published).andFailFast()
                            .map(full -> full.contains(true) || due.size() == organizations);
                }));
    }

    /**
     * Sends the organisation's records after {@code after} and marks the unbroken acknowledged run. True when a full
     * page went out whole (more may follow), false when it was the last or a send failed.
     */
    private Uni<Boolean> publish(SqlConnection connection, String org, long after) {
        return connection.preparedQuery(RECORDS).execute(Tuple.of(org, after, page)).chain(rows -> {
            List<Row> records = list(rows);
            if (records.isEmpty()) {
                return Uni.createFrom().item(false);
            }
            List<Uni<Boolean>> sends = records.stream()
                    .map(record -> send(record).replaceWith(true).onFailure().recoverWithItem(false))
                    .toList();
            return Uni.join().all(sends).andFailFast().chain(acked -> {
                long mark = after;
                for (int i = 0; i < acked.size() && acked.get(i); i++) {
                    mark = records.get(i).getLong("seq");
                }
                boolean whole = !acked.contains(false);
                if (!whole) {
                    LOG.warnf("audit publication of %s stopped at seq %d: a send failed; a later round resends the"
                            + " rest", org, mark);
                }
                if (mark == after) {
                    return Uni.createFrom().item(false);
                }
                return connection.preparedQuery(MARK).execute(Tuple.of(org, mark))
                        .replaceWith(whole && records.size() == page);
            });
        });
    }

    private Uni<Void> send(Row row) {
        String org = row.getString("organization_id");
        Instant recordedAt = row.getOffsetDateTime("recorded_at").toInstant();
        String hash = row.getString("hash");
        AuditRecordEvent record = new AuditRecordEvent(org, row.getLong("seq"), row.getString("event_id"),
                row.getString("type"), row.getString("source"), row.getString("subject"), row.getString("agent_id"),
                row.getOffsetDateTime("occurred_at").toInstant().toString(), recordedAt.toString(),
                row.getString("data"), row.getString("prev_hash"), hash);
        String payload = json(record);
        CloudEvent event = new CloudEvent(eventId(hash), SOURCE, EventTypes.AUDIT_RECORDED, org, org, recordedAt,
                payload);
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(Topics.AUDIT)
                .withKey(org)
                .withHeaders(event.headers())
                .build();
        return emitter.sendMessage(Message.of(payload).addMetadata(metadata));
    }

    /**
     * The CloudEvents id of a record's publication: {@code aud_} and the first 40 hex digits of its hash, the same
     * every time the record is sent, so a consumer deduplicating by event id sees a resend as one event.
     */
    static String eventId(String hash) {
        return "aud_" + hash.substring(0, 40);
    }

    private static List<Row> list(RowSet<Row> rows) {
        List<Row> list = new ArrayList<>(rows.size());
        rows.forEach(list::add);
        return list;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an audit record is writable", e);
        }
    }
}
