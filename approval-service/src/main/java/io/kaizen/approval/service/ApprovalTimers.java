package io.kaizen.approval.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.approval.messaging.ApprovalEvents;
import io.kaizen.approval.messaging.ApprovalMessages;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.vertx.DetachedContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The timers of undecided (pending or escalated) requests: expiry, escalation and reminders. Each timer's state is a
 * column of the request ({@code expires_at}, {@code escalate_at}, {@code next_reminder_at}), so it survives restarts
 * and a timer that fell due while no replica ran fires at the first sweep; every replica sweeps, claiming due rows
 * with {@code FOR UPDATE SKIP LOCKED} in the transaction that moves the timer on and records its event, so each fires
 * once however many replicas run. A due request {@code expire}s, or is rejected by {@link ApprovalDecision#SYSTEM}
 * when its workflow says {@code reject}, recorded as approvers' decisions are ({@link ApprovalDecisions#record}); a
 * request past its {@code expires_at} is never escalated nor reminded.
 */
@ApplicationScoped
public class ApprovalTimers {

    private static final Logger LOG = Logger.getLogger(ApprovalTimers.class);
    static final String EXPIRY_DUE = "select * from approval_request where status in ('pending', 'escalated')"
            + " and expires_at <= :now order by expires_at limit :limit for update skip locked";
    /** Escalation happens once: the claimed request leaves {@code pending} for {@code escalated}. */
    static final String ESCALATION_DUE = "select * from approval_request where status = 'pending'"
            + " and escalate_at <= :now and expires_at > :now"
            + " order by escalate_at limit :limit for update skip locked";
    static final String REMINDER_DUE = "select * from approval_request where status in ('pending', 'escalated')"
            + " and next_reminder_at <= :now and expires_at > :now"
            + " order by next_reminder_at limit :limit for update skip locked";
    static final String TIMED_OUT = "Timed out without a decision";

    private final ApprovalDecisions decisions;
    private final ApprovalEvents events;
    private final ApprovalNotifications notifications;
    private final ApprovalMetrics metrics;
    private final Vertx vertx;
    private final int batchSize;

    ApprovalTimers(ApprovalDecisions decisions, ApprovalEvents events, ApprovalNotifications notifications,
            ApprovalMetrics metrics, Vertx vertx, ApprovalConfig config) {
        this.decisions = decisions;
        this.events = events;
        this.notifications = notifications;
        this.metrics = metrics;
        this.vertx = vertx;
        this.batchSize = config.expiryBatchSize();
    }

    /** One sweep of the three timers; a timer whose sweep fails does not keep the others from theirs. */
    @Scheduled(every = "${kaizen.approvals.expiry-interval:30s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return drain("expiry", this::expireDue)
                .chain(() -> drain("escalation", this::escalateDue))
                .chain(() -> drain("reminder", this::remindDue));
    }

    /** Ends the due requests no other replica holds; the number ended. */
    public Uni<Integer> expireDue() {
        // counted once the transaction that ended them committed
        return claimed(EXPIRY_DUE, this::expire).invoke(ended -> ended.forEach(metrics::timedOut)).map(List::size);
    }

    /** Escalates the due requests no other replica holds; the number escalated. */
    public Uni<Integer> escalateDue() {
        return claimed(ESCALATION_DUE, this::escalate).map(List::size);
    }

    /** Records the due reminders of requests no other replica holds; the number recorded. */
    public Uni<Integer> remindDue() {
        return claimed(REMINDER_DUE, this::remind).map(List::size);
    }

    /** Batches of one timer until a batch is not full. */
    private Uni<Void> drain(String timer, Supplier<Uni<Integer>> batch) {
        return InOrder.whileMore(() -> batch.get().map(count -> count >= batchSize))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("approval %s sweep failed: %s", timer, e.getClass().getSimpleName());
                    return null;
                });
    }

    /** Claims the due rows of {@code query} and acts on each, in one transaction on a context of its own. */
    private Uni<List<ApprovalRequest>> claimed(String query, BiFunction<ApprovalRequest, Instant, Uni<Void>> action) {
        Instant now = Instant.now();
        return DetachedContext.run(vertx, () -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(query, ApprovalRequest.class)
                        .setParameter("now", now)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(row -> action.apply(row, now).replaceWith(row))
                        .collect().asList())));
    }

    private Uni<Void> expire(ApprovalRequest request, Instant now) {
        ApprovalDecision rejection = WorkflowSettings.REJECT.equals(request.onTimeout)
                ? ApprovalDecisions.decision(request.id, ApprovalDecision.SYSTEM, ApprovalDecision.REJECT, TIMED_OUT, now)
                : null;
        return ApprovalRequests.state(request).chain(state -> decisions.record(state, rejection, now)).replaceWithVoid();
    }

    private Uni<Void> escalate(ApprovalRequest request, Instant now) {
        request.status = ApprovalRequest.ESCALATED;
        request.escalatedAt = now;
        return ApprovalRequests.state(request)
                .chain(state -> events.record(state, null, EventTypes.APPROVAL_ESCALATED)
                        .chain(() -> notifications.tell(state, request.notificationChannels,
                                ApprovalMessages.Occasion.ESCALATED, now)));
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
                .chain(state -> events.record(state, null, EventTypes.APPROVAL_REMINDER_SENT)
                        .chain(() -> notifications.tell(state, request.notificationChannels,
                                ApprovalMessages.Occasion.REMINDER, now)));
    }
}
