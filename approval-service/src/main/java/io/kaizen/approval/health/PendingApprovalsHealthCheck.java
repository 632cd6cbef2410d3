package io.kaizen.approval.health;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.service.PendingApprovals;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The approvals' health of original-spec §8.6: {@code degraded} above {@code kaizen.approvals.pending-degraded-above}
 * pending requests (100), else {@code healthy}, with {@code pending_count}. Degraded stays UP: a backlog of decisions
 * is for people to work off, not a reason to take the service out of rotation.
 */
@Readiness
@ApplicationScoped
public class PendingApprovalsHealthCheck implements AsyncHealthCheck {

    static final String NAME = "approvals";

    private final PendingApprovals pending;
    private final int degradedAbove;

    PendingApprovalsHealthCheck(PendingApprovals pending, ApprovalConfig config) {
        this.pending = pending;
        this.degradedAbove = config.pendingDegradedAbove();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return pending.count().map(count -> HealthCheckResponse.named(NAME).up()
                .withData("status", count > degradedAbove ? "degraded" : "healthy")
                .withData("pending_count", count)
                .build());
    }
}
