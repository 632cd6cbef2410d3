package io.kaizen.approval.service;

import java.time.Instant;
import java.util.List;

import org.jboss.logging.Logger;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.vertx.DetachedContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The expiry timer. Its state is the request's {@code expires_at} column, so it survives restarts; every replica
 * sweeps, claiming due pending requests with {@code FOR UPDATE SKIP LOCKED} in the transaction that ends them, so a
 * request is ended once however many replicas run. A due request {@code expire}s, or is rejected by
 * {@link ApprovalDecision#SYSTEM} when its workflow says {@code reject}, recorded as approvers' decisions are
 * ({@link ApprovalDecisions#record}).
 */
@ApplicationScoped
public class ApprovalExpiry {

    private static final Logger LOG = Logger.getLogger(ApprovalExpiry.class);
    static final String CLAIM = "select * from approval_request where status = 'pending' and expires_at <= :now"
            + " order by expires_at limit :limit for update skip locked";
    static final String TIMED_OUT = "Timed out without a decision";

    private final ApprovalDecisions decisions;
    private final Vertx vertx;
    private final int batchSize;

    ApprovalExpiry(ApprovalDecisions decisions, Vertx vertx, ApprovalConfig config) {
        this.decisions = decisions;
        this.vertx = vertx;
        this.batchSize = config.expiryBatchSize();
    }

    @Scheduled(every = "${kaizen.approvals.expiry-interval:30s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return expireDue()
                .chain(count -> count >= batchSize ? sweep() : Uni.createFrom().voidItem())
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("approval expiry sweep failed: %s", e.getClass().getSimpleName());
                    return null;
                });
    }

    /** Ends the due requests no other replica holds, on a context of its own; the number ended. */
    public Uni<Integer> expireDue() {
        Instant now = Instant.now();
        return DetachedContext.run(vertx, () -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, ApprovalRequest.class)
                        .setParameter("now", now)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> Multi.createFrom().iterable(rows)
                        .onItem().transformToUniAndConcatenate(row -> end(row, now))
                        .collect().asList()
                        .map(List::size))));
    }

    private Uni<Void> end(ApprovalRequest request, Instant now) {
        ApprovalDecision rejection = WorkflowSettings.REJECT.equals(request.onTimeout)
                ? ApprovalDecisions.decision(request.id, ApprovalDecision.SYSTEM, ApprovalDecision.REJECT, TIMED_OUT, now)
                : null;
        return ApprovalRequests.state(request).chain(state -> decisions.record(state, rejection, now)).replaceWithVoid();
    }
}
