package io.kaizen.governance.journal;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.TraceContext;
import io.kaizen.common.vertx.Rounds;
import io.micrometer.core.instrument.MeterRegistry;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.config.GovernanceConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.sqlclient.data.Numeric;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The group-commit writer of decisions (DESIGN §3): a decision touches only Redis, leaving its ledger rows and its
 * event as entries of its agent's journal stream ({@code {agt_…}:journal}); a flush loop writes the entries of every
 * journal with new entries in ONE PostgreSQL transaction, then deletes them from Redis. Entries that arrive during a
 * flush go in the next one. Every write is idempotent ({@code on conflict do nothing}, releases only of held rows), so
 * an entry written twice (a crash after the commit, before the delete; two replicas flushing one journal) changes
 * nothing the second time. Every replica looks for journals periodically, so a crashed replica's entries are written
 * by another. Readers of the ledger that may run before a flush call {@link #flush(String)} first.
 */
@ApplicationScoped
public class DecisionJournal {

    private static final Logger LOG = Logger.getLogger(DecisionJournal.class);
    private static final String FIELD = "e";
    private static final String KEY_SUFFIX = ":journal";

    private static final String INSERT_RESERVATION = "insert into budget_reservation (id, organization_id, agent_id,"
            + " user_id, decision_id, invocation_id, estimate_usd, configured_cost_usd, status, month_start, day_start,"
            + " org_reserved, tally_synced, reserved_at, week_start) values ($1, $2, $3, $4, $5, $6, $7, $8, 'reserved',"
            + " $9, $10, $11, true, $12, $13) on conflict (id) do nothing";
    private static final String RELEASE = "update budget_reservation set status = 'released', actual_usd = 0,"
            + " settled_at = $2 where id = $1 and status = 'reserved'";
    private static final String SEEN = "insert into agent_user_seen (agent_id, user_id, first_seen_at)"
            + " values ($1, $2, $3) on conflict do nothing";
    private static final String OUTBOX = "insert into outbox_event (id, topic, event_key, type, source, subject,"
            + " organization_id, occurred_at, payload, traceparent, tracestate)"
            + " values ($1, $2, $3, $4, $5, $3, $6, $7, $8, $9, $10)"
            + " on conflict (id) do nothing";

    private final RedisAPI redis;
    private final Pool pool;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final GovernanceConfig.Journal config;
    private final String source;
    /** Journals with entries this replica has not flushed yet. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** Flushes, one at a time, each taking every journal marked so far. */
    private final Rounds flushes = new Rounds(this::flushMarked);

    DecisionJournal(RedisAPI redis, Pool pool, ObjectMapper mapper, Vertx vertx, GovernanceConfig config,
            MeterRegistry metrics, @ConfigProperty(name = "quarkus.application.name") String application) {
        metrics.gauge("kaizen.governance.journal.pending", dirty, Set::size);
        this.source = "/kaizen/" + application;
        this.redis = redis;
        this.pool = pool;
        this.mapper = mapper;
        this.vertx = vertx;
        this.config = config.journal();
    }

    /** An entry written to a journal and not deleted yet. */
    private record Written(String key, String streamId, JournalEntry entry) {
    }

    public static String key(String agentId) {
        return BudgetTallies.agentTag(agentId) + KEY_SUFFIX;
    }

    /**
     * An event as {@code Outbox.add} would record it, with its id fixed now so every replay writes the same row, and
     * the trace context of the decision that made it ({@code trace}, null when it was not traced).
     */
    public JournalEntry.Event event(String topic, String type, String key, String organizationId, Object data,
            TraceContext trace) {
        try {
            return new JournalEntry.Event(PrefixedId.next(PrefixedId.EVENT), topic, type, key, source, organizationId,
                    Instant.now(), mapper.writeValueAsString(data), trace == null ? null : trace.traceparent(),
                    trace == null ? null : trace.tracestate());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not serialisable: " + data.getClass().getName(), e);
        }
    }

    public String json(JournalEntry entry) {
        try {
            return mapper.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("journal entry is not serialisable", e);
        }
    }

    /**
     * Appends an entry to an agent's journal. When Redis cannot take it, the entry is written to PostgreSQL at once
     * instead, so what a decision leaves is never lost while it is answered.
     */
    public Uni<Void> append(String agentId, JournalEntry entry) {
        String key = key(agentId);
        return redis.xadd(List.of(key, "*", FIELD, json(entry)))
                .invoke(() -> appended(agentId))
                .replaceWithVoid()
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("journal of %s unreachable (%s); writing its entry directly", agentId, e.getMessage());
                    return write(List.of(new Written(key, null, entry)));
                });
    }

    /** Notes that an agent's journal has new entries (appended here or by a decision's script) and flushes soon. */
    public void appended(String agentId) {
        dirty.add(key(agentId));
        flushSoon();
    }

    /** Writes every entry of an agent's journal now: a reader of the ledger needs them. */
    public Uni<Void> flush(String agentId) {
        return flushKeys(List.of(key(agentId)));
    }

    /** Writes the entries of every journal this replica knows has new entries, now. */
    public Uni<Void> flush() {
        List<String> keys = drain();
        return keys.isEmpty() ? Uni.createFrom().voidItem() : flushKeys(keys);
    }

    /** Writes the entries of every journal in Redis, now (a reader that cannot tell which agent it needs). */
    public Uni<Void> flushEverything() {
        return scan("0", new ArrayList<>()).chain(keys -> keys.isEmpty() ? Uni.createFrom().voidItem()
                : flushKeys(keys));
    }

    void onStart(@Observes StartupEvent event) {
        // entries a crashed replica left behind are written before the first recovery interval has passed
        vertx.runOnContext(ignored -> recover().subscribe().with(done -> {
        }, failure -> LOG.warnf("journal recovery failed: %s", failure.getMessage())));
    }

    /** Marks every journal in Redis for flushing: a crashed replica's entries are written by whoever finds them. */
    @Scheduled(every = "${kaizen.governance.journal.recovery-interval:30s}",
            delayed = "${kaizen.governance.journal.recovery-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> recover() {
        return scan("0", new ArrayList<>())
                .invoke(keys -> {
                    dirty.addAll(keys);
                    flushSoon();
                })
                .onFailure().invoke(e -> LOG.warnf("journal recovery scan failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<List<String>> scan(String cursor, List<String> found) {
        AtomicReference<String> next = new AtomicReference<>(cursor);
        return InOrder.whileMore(() -> redis.scan(List.of(next.get(), "MATCH", "*" + KEY_SUFFIX, "COUNT", "1000"))
                .map(page -> {
                    page.get(1).forEach(key -> found.add(key.toString()));
                    next.set(page.get(0).toString());
                    return !"0".equals(next.get());
                }))
                .replaceWith(found);
    }

    /** A flush of every marked journal, {@code flush-delay} from now, for the decisions meanwhile to join. */
    private void flushSoon() {
        flushes.wakeAfter(vertx, config.flushDelay().toMillis());
    }

    /** One flush of the journals marked so far; a failed one marks them again and tries again after 1 s. */
    private Uni<Void> flushMarked() {
        List<String> keys = drain();
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return flushKeys(keys).onFailure().recoverWithUni(failure -> {
            LOG.warnf("journal flush failed, retrying in 1 s: %s", failure.getMessage());
            dirty.addAll(keys);
            return Uni.createFrom().<Void>emitter(retry -> vertx.setTimer(1000, id -> {
                // woken during its own round, the rounds run one more right after this one
                flushes.wake();
                retry.complete(null);
            }));
        });
    }

    private List<String> drain() {
        List<String> keys = new ArrayList<>();
        for (String key : dirty) {
            if (dirty.remove(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Reads up to a batch of each journal, writes them in one transaction, deletes them; repeats while any was full. */
    private Uni<Void> flushKeys(Collection<String> keys) {
        int batch = config.batchSize();
        // the keys whose last read was a full batch: they may hold more
        AtomicReference<Collection<String>> pending = new AtomicReference<>(keys);
        return InOrder.whileMore(() -> {
            List<Uni<List<Written>>> reads = pending.get().stream().map(key -> redis.xrange(List.of(key, "-", "+",
                    "COUNT", Integer.toString(batch))).map(response -> written(key, response))).toList();
            return Uni.join().all(reads).andFailFast().chain(batches -> {
                List<Written> entries = batches.stream().flatMap(List::stream).toList();
                if (entries.isEmpty()) {
                    return Uni.createFrom().item(false);
                }
                List<String> full = batches.stream().filter(b -> b.size() >= batch).map(b -> b.get(0).key())
                        .toList();
                pending.set(full);
                return write(entries).chain(() -> delete(batches)).map(ignored -> !full.isEmpty());
            });
        });
    }

    private List<Written> written(String key, Response response) {
        List<Written> entries = new ArrayList<>();
        if (response == null) {
            return entries;
        }
        for (Response item : response) {
            String json = null;
            Response fields = item.get(1);
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (FIELD.equals(fields.get(i).toString())) {
                    json = fields.get(i + 1).toString();
                }
            }
            String streamId = item.get(0).toString();
            entries.add(new Written(key, streamId, read(key, streamId, json)));
        }
        return entries;
    }

    /** An unreadable entry (never written by this code) would block its journal forever: it is logged and dropped. */
    private JournalEntry read(String key, String streamId, String json) {
        try {
            return mapper.readValue(json, JournalEntry.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.errorf("dropping unreadable entry %s of %s: %s", streamId, key, json);
            return null;
        }
    }

    private Uni<Void> delete(List<List<Written>> batches) {
        List<Uni<Response>> deletes = new ArrayList<>();
        for (List<Written> batch : batches) {
            if (!batch.isEmpty()) {
                List<String> args = new ArrayList<>();
                args.add(batch.get(0).key());
                batch.forEach(w -> args.add(w.streamId()));
                deletes.add(redis.xdel(args));
            }
        }
        return deletes.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(deletes).andFailFast().replaceWithVoid();
    }

    /** Writes entries in one transaction, in their kinds' order: a release always finds its reservation. */
    private Uni<Void> write(List<Written> entries) {
        List<Tuple> reservations = new ArrayList<>();
        List<Tuple> releases = new ArrayList<>();
        List<Tuple> seen = new ArrayList<>();
        List<Tuple> events = new ArrayList<>();
        OffsetDateTime now = time(Instant.now());
        for (Written written : entries) {
            JournalEntry entry = written.entry();
            if (entry == null) {
                continue;
            }
            JournalEntry.Reservation r = entry.reservation();
            if (r != null) {
                reservations.add(Tuple.from(Arrays.asList(r.id(), r.organizationId(), r.agentId(), r.userId(),
                        r.decisionId(), r.invocationId(), Numeric.create(r.estimateUsd()),
                        Numeric.create(r.configuredCostUsd()), r.monthStart(), r.dayStart(), r.orgReserved(),
                        time(r.reservedAt()), r.weekStart())));
            }
            if (entry.released() != null) {
                releases.add(Tuple.of(entry.released(), now));
            }
            if (entry.seen() != null) {
                seen.add(Tuple.of(entry.seen().agentId(), entry.seen().userId(), time(entry.seen().at())));
            }
            JournalEntry.Event e = entry.event();
            if (e != null) {
                events.add(Tuple.from(Arrays.asList(e.id(), e.topic(), e.key(), e.type(), e.source(), e.organizationId(),
                        time(e.occurredAt()), e.payload(), e.traceparent(), e.tracestate())));
            }
        }
        return pool.withTransaction(connection -> batch(connection, INSERT_RESERVATION, reservations)
                .chain(() -> batch(connection, RELEASE, releases))
                .chain(() -> batch(connection, SEEN, seen))
                .chain(() -> batch(connection, OUTBOX, events))
                .chain(() -> events.isEmpty() ? Uni.createFrom().voidItem()
                        : connection.query(Outbox.NOTIFY).execute().replaceWithVoid()));
    }

    private static Uni<Void> batch(SqlConnection connection, String sql, List<Tuple> rows) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return connection.preparedQuery(sql).executeBatch(rows).replaceWithVoid();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
