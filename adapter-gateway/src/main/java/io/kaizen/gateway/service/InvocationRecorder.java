package io.kaizen.gateway.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.TraceContext;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.config.RecordConfig;
import io.kaizen.gateway.domain.Invocation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Stores invocations — accepted ones before their agent is called, then final states with their events —
 * group-committed: callers queue their invocation, and one writer at a time takes everything queued (up to
 * {@link RecordConfig#batchSize()}) and writes it in one statement, invocation rows and outbox rows together. Each
 * caller's {@code Uni} completes only once its rows are committed, so the gateway answers only what is durable; if
 * the batch fails, every caller of the batch gets its failure, and the next batch goes on. Batches come from
 * concurrency, not from a timer: a lone invoke is written at once, and invokes arriving during a write make up the
 * next one.
 */
@ApplicationScoped
public class InvocationRecorder {

    static final String BATCHES = "kaizen.gateway.record.batches";
    static final String PENDING = "kaizen.gateway.record.pending";

    /** Every column of an invocation, in the order of {@link #RECORD}'s definition of its JSON rows. */
    private static final String COLUMNS = "id, organization_id, agent_id, status, decision, decision_id,"
            + " external_user_id, external_user_email, external_system, external_session_id, trace_id, error_code,"
            + " response_status_code, cost_usd, input_tokens, output_tokens, duration_ms, created_at, completed_at,"
            + " mode, output, error_message, deadline, pending_event";

    private static final String ROWS_OF = " from json_to_recordset(cast(cast(%s as text) as json)) as t(id text,"
            + " organization_id text, agent_id text, status text, decision text, decision_id text,"
            + " external_user_id text, external_user_email text, external_system text, external_session_id text,"
            + " trace_id text, error_code text, response_status_code integer, cost_usd numeric, input_tokens bigint,"
            + " output_tokens bigint, duration_ms bigint, created_at timestamptz, completed_at timestamptz, mode text,"
            + " output text, error_message text, deadline timestamptz, pending_event text)";

    /**
     * A whole batch in one statement, each kind of row travelling as one JSON array. The final states
     * ({@code :finals}) are inserted (a blocked call never had an accepted row) or written over their accepted row,
     * by id alone: a call that answered only after a sweep closed it as overdue still ends with its real outcome (and
     * its event) instead of failing its caller. Rows in id order, so two writers never wait for each other in a
     * cycle. Accepted rows ({@code :accepted}) are new: an id already taken fails the batch. The events
     * ({@code :events}) go to the outbox, with one notification to the relay when there are any. A statement is
     * atomic: all of it is stored, or none.
     */
    static final String RECORD = "with finals as (insert into invocation (" + COLUMNS + ") select " + COLUMNS
            + ROWS_OF.formatted(":finals")
            + " order by id"
            + " on conflict (id) do update set organization_id = excluded.organization_id,"
            + " agent_id = excluded.agent_id, status = excluded.status, decision = excluded.decision,"
            + " decision_id = excluded.decision_id, external_user_id = excluded.external_user_id,"
            + " external_user_email = excluded.external_user_email, external_system = excluded.external_system,"
            + " external_session_id = excluded.external_session_id, trace_id = excluded.trace_id,"
            + " error_code = excluded.error_code, response_status_code = excluded.response_status_code,"
            + " cost_usd = excluded.cost_usd, input_tokens = excluded.input_tokens,"
            + " output_tokens = excluded.output_tokens, duration_ms = excluded.duration_ms,"
            + " created_at = excluded.created_at, completed_at = excluded.completed_at, mode = excluded.mode,"
            + " output = excluded.output, error_message = excluded.error_message, deadline = excluded.deadline,"
            + " pending_event = excluded.pending_event returning id),"
            + " accepted as (insert into invocation (" + COLUMNS + ") select " + COLUMNS
            + ROWS_OF.formatted(":accepted") + " order by id returning id),"
            + " events as (" + Outbox.insertFromJson(":events") + " returning id)"
            + " select " + Outbox.NOTIFICATION + " from (select 1 from events limit 1) as any_event";

    /** One caller's rows, and where to answer it: its own context, so its request carries on where it was. */
    private record Waiter(Invocation invocation, String eventType, InvocationEvent event, OutboundRequest callback,
            List<Deliveries.NewDelivery> notifications, Context context, TraceContext trace,
            UniEmitter<? super Invocation> emitter) {

        void answer(Throwable failure) {
            Runnable answer = failure == null ? () -> emitter.complete(invocation) : () -> emitter.fail(failure);
            if (context == null) {
                answer.run();
            } else {
                context.runOnContext(ignored -> answer.run());
            }
        }
    }

    private final Outbox outbox;
    private final Deliveries deliveries;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final int batchSize;
    private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Callers not answered yet: queued or in the batch being written. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter batches;

    InvocationRecorder(Outbox outbox, Deliveries deliveries, ObjectMapper mapper, Vertx vertx, RecordConfig config,
            MeterRegistry registry) {
        this.outbox = outbox;
        this.mapper = mapper;
        this.deliveries = deliveries;
        this.vertx = vertx;
        this.batchSize = config.batchSize();
        this.batches = Counter.builder(BATCHES)
                .description("Batches that stored invocations and their events (each holds one or more)")
                .register(registry);
        Gauge.builder(PENDING, pending, AtomicInteger::get)
                .description("Invocations waiting for the transaction that stores them to commit")
                .register(registry);
    }

    /** Stores an invocation as accepted (no event): its final state, recorded later, replaces it. */
    public Uni<Invocation> accept(Invocation invocation) {
        return record(invocation, null, null, null, List.of());
    }

    /** Stores an invocation's final state and its event, over its accepted row if it has one. */
    public Uni<Invocation> record(Invocation invocation, String eventType, InvocationEvent event) {
        return record(invocation, eventType, event, null);
    }

    /**
     * Stores an invocation's final state and its event, and, when {@code callback} is given, the delivery of its
     * outcome to the caller's callback URL, all in the same transaction.
     */
    public Uni<Invocation> record(Invocation invocation, String eventType, InvocationEvent event,
            OutboundRequest callback) {
        return record(invocation, eventType, event, callback, List.of());
    }

    /**
     * As {@link #record(Invocation, String, InvocationEvent, OutboundRequest)}, with the notifications of the
     * outcome (the agent's {@code notify} channels) stored in the same transaction too.
     */
    public Uni<Invocation> record(Invocation invocation, String eventType, InvocationEvent event,
            OutboundRequest callback, List<Deliveries.NewDelivery> notifications) {
        return Uni.createFrom().emitter(emitter -> {
            pending.incrementAndGet();
            // the batch is written on a context of its own: each event keeps its invocation's trace
            TraceContext trace = event == null || event.trace() == null ? null
                    : TraceContext.currentOr(event.trace().traceId(), event.trace().spanId());
            queue.add(new Waiter(invocation, eventType, event, callback, notifications, Vertx.currentContext(),
                    trace, emitter));
            writeNext();
        });
    }

    /** Starts a batch unless one is being written; the writer calls it again when it is done. */
    private void writeNext() {
        if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
            return;
        }
        List<Waiter> batch = new ArrayList<>();
        for (Waiter waiter; batch.size() < batchSize && (waiter = queue.poll()) != null;) {
            batch.add(waiter);
        }
        if (batch.isEmpty()) {
            // another writer's turn took them between the check and the claim
            writing.set(false);
            writeNext();
            return;
        }
        DetachedContext.run(vertx, () -> write(batch)).subscribe()
                .with(ignored -> written(batch, null), failure -> written(batch, failure));
    }

    private void written(List<Waiter> batch, Throwable failure) {
        batches.increment();
        if (failure == null && batch.stream()
                .anyMatch(waiter -> waiter.callback() != null || !waiter.notifications().isEmpty())) {
            deliveries.wake();
        }
        writing.set(false);
        writeNext();
        pending.addAndGet(-batch.size());
        batch.forEach(waiter -> waiter.answer(failure));
    }

    /**
     * The batch in one statement ({@link #RECORD}), its own transaction: one round trip to the database. A batch
     * that also stores deliveries (a caller's callback, an agent's notifications) writes them in one transaction with
     * the statement. Runs deferred ({@link DetachedContext#run}): a row that cannot be written as JSON fails the batch.
     */
    private Uni<Void> write(List<Waiter> batch) {
        List<Waiter> finals = batch.stream().filter(waiter -> waiter.event() != null).toList();
        String finalRows = rows(finals.stream().map(Waiter::invocation).toList());
        String acceptedRows = rows(batch.stream().filter(waiter -> waiter.event() == null)
                .map(Waiter::invocation).toList());
        String eventRows = outbox.json(finals.stream()
                .map(waiter -> new Outbox.Entry(Topics.INVOCATIONS, waiter.eventType(), waiter.invocation().id,
                        waiter.invocation().organizationId,
                        waiter.callback() == null ? waiter.event() : deliveryPending(waiter.event()), waiter.trace()))
                .toList());
        Supplier<Uni<Void>> statement = () -> Panache.getSession().chain(session -> session
                        .createNativeQuery(RECORD)
                        .setParameter("finals", finalRows)
                        .setParameter("accepted", acceptedRows)
                        .setParameter("events", eventRows)
                        .getResultList())
                .replaceWithVoid();
        boolean deliveries = batch.stream()
                .anyMatch(waiter -> waiter.callback() != null || !waiter.notifications().isEmpty());
        return deliveries ? Panache.withTransaction(() -> statement.get().chain(() -> callbacks(batch)))
                : Panache.withSession(statement);
    }

    private String rows(List<Invocation> invocations) {
        List<Map<String, Object>> rows = new ArrayList<>(invocations.size());
        for (Invocation invocation : invocations) {
            rows.add(row(invocation));
        }
        try {
            return mapper.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invocation rows are serialisable", e);
        }
    }

    /** An invocation as one element of {@link #RECORD}'s arrays: numbers as text, instants to microseconds. */
    private static Map<String, Object> row(Invocation invocation) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", invocation.id);
        row.put("organization_id", invocation.organizationId);
        row.put("agent_id", invocation.agentId);
        row.put("status", invocation.status);
        row.put("decision", invocation.decision);
        row.put("decision_id", invocation.decisionId);
        row.put("external_user_id", invocation.externalUserId);
        row.put("external_user_email", invocation.externalUserEmail);
        row.put("external_system", invocation.externalSystem);
        row.put("external_session_id", invocation.externalSessionId);
        row.put("trace_id", invocation.traceId);
        row.put("error_code", invocation.errorCode);
        row.put("response_status_code", invocation.responseStatusCode);
        row.put("cost_usd", invocation.costUsd == null ? null : invocation.costUsd.toPlainString());
        row.put("input_tokens", invocation.inputTokens);
        row.put("output_tokens", invocation.outputTokens);
        row.put("duration_ms", invocation.durationMs);
        row.put("created_at", instant(invocation.createdAt));
        row.put("completed_at", instant(invocation.completedAt));
        row.put("mode", invocation.mode);
        row.put("output", invocation.output);
        row.put("error_message", invocation.errorMessage);
        row.put("deadline", instant(invocation.deadline));
        row.put("pending_event", invocation.pendingEvent);
        return row;
    }

    private static String instant(Instant instant) {
        // PostgreSQL keeps microseconds; cut as the entity's binding does rather than rounded
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).toString();
    }

    /**
     * The final event of a call whose answer is owed to a {@code callback_url}: {@code result.delivery_status} says
     * {@code pending}, as the delivery is stored in this same transaction; {@code invocation.delivery_settled} tells
     * how it ended ({@link CallbackDeliveries}).
     */
    static InvocationEvent deliveryPending(InvocationEvent e) {
        InvocationEvent.Result r = e.result();
        if (r == null || r.deliveryStatus() != null) {
            return e;
        }
        return new InvocationEvent(e.invocationId(), e.organizationId(), e.status(), e.externalUser(),
                e.externalSystem(), e.kaizenAuth(), e.agent(), e.trace(), e.request(), e.governance(),
                new InvocationEvent.Result(r.completedAt(), r.durationMs(), r.costUsd(), r.responseStatusCode(),
                        r.errorCode(), r.errorMessage(), r.reportedCostUsd(), r.inputTokens(), r.outputTokens(),
                        CallbackDeliveries.PENDING));
    }

    private Uni<Void> callbacks(List<Waiter> batch) {
        List<Deliveries.NewDelivery> all = new ArrayList<>();
        for (Waiter waiter : batch) {
            if (waiter.callback() != null) {
                Invocation invocation = waiter.invocation();
                all.add(new Deliveries.NewDelivery(invocation.organizationId, invocation.id, Deliveries.CALLBACK, null,
                        waiter.callback()));
            }
            all.addAll(waiter.notifications());
        }
        return InOrder.each(all, deliveries::enqueue);
    }
}
