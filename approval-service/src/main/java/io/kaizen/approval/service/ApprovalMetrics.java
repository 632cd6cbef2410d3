package io.kaizen.approval.service;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.common.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The approval metrics of original-spec §8.6, counted once the transition is committed: requests created, approved,
 * rejected and expired ({@code approval_requests_*_total}), the time from creation to a human decision
 * ({@code approval_latency_seconds}) and the pending requests of all organisations ({@code pending_approvals_count},
 * the same number on every replica, refreshed by {@link PendingApprovals}).
 */
@Startup // registered at start, so every metric is scraped (at 0) before its first transition
@ApplicationScoped
public class ApprovalMetrics {

    static final String CREATED = MetricNames.APPROVALS_CREATED;
    static final String APPROVED = MetricNames.APPROVALS_APPROVED;
    static final String REJECTED = MetricNames.APPROVALS_REJECTED;
    static final String EXPIRED = MetricNames.APPROVALS_EXPIRED;
    static final String LATENCY = MetricNames.APPROVAL_LATENCY;
    static final String PENDING = MetricNames.PENDING_APPROVALS;

    private final Counter created;
    private final Counter approved;
    private final Counter rejected;
    private final Counter expired;
    private final Timer latency;
    private final AtomicLong pending = new AtomicLong();

    ApprovalMetrics(MeterRegistry registry) {
        created = Counter.builder(CREATED).description("Approval requests opened").register(registry);
        approved = Counter.builder(APPROVED).description("Approval requests approved").register(registry);
        rejected = Counter.builder(REJECTED).description("Approval requests rejected, by an approver or on timeout")
                .register(registry);
        expired = Counter.builder(EXPIRED).description("Approval requests that timed out and expired")
                .register(registry);
        latency = Timer.builder(LATENCY).description("Time from an approval request's creation to its decision by an"
                + " approver")
                // buckets for the alerts' quantiles, at the review cadences of §8.6 (minutes to a day)
                .serviceLevelObjectives(Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofHours(1),
                        Duration.ofHours(4), Duration.ofHours(24))
                .register(registry);
        Gauge.builder(PENDING, pending, AtomicLong::get).description("Approval requests waiting for a decision")
                .register(registry);
    }

    void opened() {
        created.increment();
    }

    /** After a decision was committed: counts the request's outcome when the decision ended it. */
    void decided(ApprovalState state) {
        ApprovalRequest request = state.request();
        if (ApprovalRequest.PENDING.equals(request.status) || request.decidedAt == null) {
            return;
        }
        (ApprovalRequest.APPROVED.equals(request.status) ? approved : rejected).increment();
        latency.record(Duration.between(request.createdAt, request.decidedAt));
    }

    /** After the expiry sweep committed: a timed-out request, expired or rejected by {@link ApprovalDecision#SYSTEM}. */
    void timedOut(ApprovalRequest request) {
        (ApprovalRequest.REJECTED.equals(request.status) ? rejected : expired).increment();
    }

    void pending(long count) {
        pending.set(count);
    }
}
