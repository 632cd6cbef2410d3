package io.kaizen.gateway.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
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
 * group-committed: callers queue their invocation, and one
 * writer at a time takes everything queued (up to {@link RecordConfig#batchSize()}) and writes it in one
 * transaction, invocation rows and outbox rows together. Each caller's {@code Uni} completes only once the
 * transaction holding its rows has committed, so the gateway answers only what is durable; if that transaction
 * fails, every caller of the batch gets its failure, and the next batch goes on. Batches come from concurrency, not
 * from a timer: a lone invoke is written at once, and invokes arriving during a write make up the next one.
 */
@ApplicationScoped
public class InvocationRecorder {

    static final String BATCHES = "kaizen.gateway.record.batches";
    static final String PENDING = "kaizen.gateway.record.pending";

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
    private final Vertx vertx;
    private final int batchSize;
    private final Queue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** Callers not answered yet: queued or in the batch being written. */
    private final AtomicInteger pending = new AtomicInteger();
    private final Counter batches;

    InvocationRecorder(Outbox outbox, Deliveries deliveries, Vertx vertx, RecordConfig config, MeterRegistry registry) {
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.vertx = vertx;
        this.batchSize = config.batchSize();
        this.batches = Counter.builder(BATCHES)
                .description("Transactions that stored invocations and their events (each holds one or more)")
                .register(registry);
        Gauge.builder(PENDING, pending, AtomicInteger::get)
                .description("Invocations waiting for the transaction that stores them to commit")
                .register(registry);
    }

    /** Stores an invocation as accepted (no event): its final state, recorded later, replaces it. */
    public Uni<Invocation> accept(Invocation invocation) {
        return record(invocation, null, null, null, List.of());
    }

    /** Stores an invocation's final state and its event, replacing its accepted row if it has one. */
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
     * One transaction: every event (with one notification to the relay), then the accepted rows that final states
     * replace are removed, then every invocation is inserted (each table's rows as one batched statement).
     */
    private Uni<Void> write(List<Waiter> batch) {
        List<Waiter> finals = batch.stream().filter(waiter -> waiter.event() != null).toList();
        List<String> replaced = finals.stream().map(waiter -> waiter.invocation().id).toList();
        List<Outbox.Entry> events = finals.stream()
                .map(waiter -> new Outbox.Entry(Topics.INVOCATIONS, waiter.eventType(), waiter.invocation().id,
                        waiter.invocation().organizationId,
                        waiter.callback() == null ? waiter.event() : deliveryPending(waiter.event()), waiter.trace()))
                .toList();
        return Panache.withTransaction(() -> (events.isEmpty() ? Uni.createFrom().voidItem()
                        : outbox.addAll(events).replaceWithVoid())
                .chain(() -> replaced.isEmpty() ? Uni.createFrom().item(0L)
                        // by id alone: a call that answered only after a sweep closed it as overdue still ends
                        // with its real outcome (and its event) instead of failing its caller on the key
                        : Invocation.delete("id in ?1", replaced))
                .chain(() -> Invocation.persist(batch.stream().map(Waiter::invocation).toList()))
                .chain(() -> callbacks(batch)));
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
        Uni<Void> all = Uni.createFrom().voidItem();
        for (Waiter waiter : batch) {
            if (waiter.callback() != null) {
                Invocation invocation = waiter.invocation();
                all = all.chain(() -> deliveries.enqueue(new Deliveries.NewDelivery(invocation.organizationId,
                        invocation.id, Deliveries.CALLBACK, null, waiter.callback())).replaceWithVoid());
            }
            for (Deliveries.NewDelivery notification : waiter.notifications()) {
                all = all.chain(() -> deliveries.enqueue(notification).replaceWithVoid());
            }
        }
        return all;
    }
}
