package io.kaizen.approval.service;

import org.jboss.logging.Logger;

import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.common.vertx.DetachedContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/** How many requests wait for a decision, in all organisations: the health check's and the gauge's number. */
@ApplicationScoped
public class PendingApprovals {

    private static final Logger LOG = Logger.getLogger(PendingApprovals.class);

    private final Vertx vertx;
    private final ApprovalMetrics metrics;

    PendingApprovals(Vertx vertx, ApprovalMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** The pending requests now, read on a context of its own (callers such as health checks have no session). */
    public Uni<Long> count() {
        return DetachedContext.run(vertx, () -> Panache.withSession(
                () -> ApprovalRequest.count("status", ApprovalRequest.PENDING)));
    }

    @Scheduled(every = "${kaizen.approvals.pending-gauge-interval:15s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshGauge() {
        return count().invoke(metrics::pending).replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("pending approvals count failed: %s", e.getClass().getSimpleName());
                    return null;
                });
    }
}
