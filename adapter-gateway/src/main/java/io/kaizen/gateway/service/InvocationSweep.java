package io.kaizen.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.TraceContext;
import io.kaizen.gateway.domain.Invocation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Closes invocations left accepted by a gateway that stopped mid-call: once past its deadline (the agent's timeout
 * plus {@link #MARGIN}) an accepted invocation becomes a failure of unknown outcome
 * ({@link InvocationEvent#OUTCOME_UNKNOWN}) with the event prepared when it was accepted, so governance settles its
 * reservation at the estimate (the agent may have acted) and lineage gets its row. Replicas may sweep together: each skips rows another
 * one holds.
 */
@ApplicationScoped
public class InvocationSweep {

    /** Beyond the agent's timeout: a live gateway records the outcome well within it. */
    static final Duration MARGIN = Duration.ofMinutes(2);
    static final String REASON = "the gateway stopped before the agent answered";
    private static final Logger LOG = Logger.getLogger(InvocationSweep.class);
    private static final int BATCH = 200;

    private final Outbox outbox;
    private final ObjectMapper mapper;

    InvocationSweep(Outbox outbox, ObjectMapper mapper) {
        this.outbox = outbox;
        this.mapper = mapper;
    }

    @Scheduled(every = "${kaizen.gateway.sweep.interval:30s}", delayed = "${kaizen.gateway.sweep.start-delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return closeOverdue(Instant.now())
                .invoke(closed -> {
                    if (closed > 0) {
                        LOG.infof("closed %d invocations left accepted past their deadline", closed);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("invocation sweep failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Closes every invocation accepted with a deadline before {@code now}, batch by batch; returns how many. */
    public Uni<Integer> closeOverdue(Instant now) {
        AtomicInteger closed = new AtomicInteger();
        // replicas sweeping together: each locks rows no other one holds, then loads them
        return InOrder.whileMore(() -> Panache.withTransaction(() -> Panache.getSession()
                        .chain(session -> session.createNativeQuery(
                                "select id from invocation where status = 'accepted' and deadline < :now"
                                        + " order by deadline limit :batch for update skip locked", String.class)
                                .setParameter("now", now)
                                .setParameter("batch", BATCH)
                                .getResultList())
                        .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<Invocation>of())
                                : Invocation.<Invocation>list("id in ?1", ids))
                        .chain(overdue -> close(overdue).replaceWith(overdue.size())))
                        .map(count -> {
                            closed.addAndGet(count);
                            // a short batch was the last
                            return count >= BATCH;
                        }))
                .map(ignored -> closed.get());
    }

    private Uni<Void> close(List<Invocation> overdue) {
        if (overdue.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Outbox.Entry> events = overdue.stream().map(invocation -> {
            InvocationEvent event = parse(invocation.pendingEvent);
            invocation.status = Invocation.FAILURE;
            invocation.errorCode = InvocationEvent.OUTCOME_UNKNOWN;
            invocation.errorMessage = REASON;
            invocation.completedAt = invocation.deadline;
            invocation.durationMs = Duration.between(invocation.createdAt, invocation.deadline).toMillis();
            invocation.deadline = null;
            invocation.pendingEvent = null;
            // the sweep's event ends the invocation's trace, not a trace of the sweep
            return new Outbox.Entry(Topics.INVOCATIONS, EventTypes.INVOCATION_FAILED, invocation.id,
                    invocation.organizationId, event, event.trace() == null ? null
                            : TraceContext.of("00-" + event.trace().traceId() + "-" + event.trace().spanId() + "-01",
                                    null));
        }).toList();
        return outbox.addAll(events).replaceWithVoid();
    }

    private InvocationEvent parse(String json) {
        try {
            return mapper.readValue(json, InvocationEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored invocation event is unreadable", e);
        }
    }
}
