package io.kaizen.approval.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.messaging.ApprovalEvents;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.vertx.DetachedContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The escalation and reminder timers of undecided requests. As with {@link ApprovalExpiry}, each timer's state is a
 * column of the request ({@code escalate_at}, {@code next_reminder_at}), so it survives restarts and a timer that fell
 * due while no replica ran fires at the first sweep; every replica sweeps, claiming due rows with
 * {@code FOR UPDATE SKIP LOCKED} in the transaction that moves the timer on and records its event, so each fires once
 * however many replicas run. A request past its {@code expires_at} is the expiry timer's, never escalated nor
 * reminded.
 */
@ApplicationScoped
public class ApprovalTimers {

    private static final Logger LOG = Logger.getLogger(ApprovalTimers.class);
    /** Escalation happens once: the claimed request leaves {@code pending} for {@code escalated}. */
    static final String ESCALATION_DUE = "select * from approval_request where status = 'pending'"
            + " and escalate_at <= :now and expires_at > :now"
            + " order by escalate_at limit :limit for update skip locked";
    static final String REMINDER_DUE = "select * from approval_request where status in ('pending', 'escalated')"
            + " and next_reminder_at <= :now and expires_at > :now"
            + " order by next_reminder_at limit :limit for update skip locked";

    private final ApprovalEvents events;
    private final Vertx vertx;
    private final int batchSize;

    ApprovalTimers(ApprovalEvents events, Vertx vertx, ApprovalConfig config) {
        this.events = events;
        this.vertx = vertx;
        this.batchSize = config.expiryBatchSize();
    }

    @Scheduled(every = "${kaizen.approvals.expiry-interval:30s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return drain(this::escalateDue)
                .chain(() -> drain(this::remindDue))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("approval timer sweep failed: %s", e.getClass().getSimpleName());
                    return null;
                });
    }

    /** Escalates the due requests no other replica holds; the number escalated. */
    public Uni<Integer> escalateDue() {
        return claimed(ESCALATION_DUE, this::escalate);
    }

    /** Records the due reminders of requests no other replica holds; the number recorded. */
    public Uni<Integer> remindDue() {
        return claimed(REMINDER_DUE, this::remind);
    }

    private Uni<Void> drain(Supplier<Uni<Integer>> batch) {
        return batch.get().chain(count -> count >= batchSize ? drain(batch) : Uni.createFrom().voidItem());
    }

    /** Claims the due rows of {@code query} and acts on each, in one transaction on a context of its own. */
    private Uni<Integer> claimed(String query, BiFunction<ApprovalRequest, Instant, Uni<Void>> action) {
        Instant now = Instant.now();
        return DetachedContext.run(vertx, () -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(query, ApprovalRequest.class)
                        .setParameter("now", now)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(row -> action.apply(row, now))
                        .collect().asList()
                        .map(List::size))));
    }

    private Uni<Void> escalate(ApprovalRequest request, Instant now) {
        request.status = ApprovalRequest.ESCALATED;
        request.escalatedAt = now;
        return ApprovalRequests.state(request)
                .chain(state -> events.record(state, null, EventTypes.APPROVAL_ESCALATED));
    }

    /**
     * Counts the reminder and sets the next one an interval from now, not from when this one fell due: after a time
     * without any replica, one reminder fires instead of every one missed.
     */
    private Uni<Void> remind(ApprovalRequest request, Instant now) {
        request.remindersSent++;
        boolean last = request.remindersSent >= request.maxReminders || request.reminderIntervalMinutes == null;
        request.nextReminderAt = last ? null : now.plus(Duration.ofMinutes(request.reminderIntervalMinutes));
        return ApprovalRequests.state(request)
                .chain(state -> events.record(state, null, EventTypes.APPROVAL_REMINDER_SENT));
    }
}
