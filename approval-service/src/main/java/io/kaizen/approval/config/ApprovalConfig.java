package io.kaizen.approval.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of approval-service ({@code kaizen.approvals.*}). */
@ConfigMapping(prefix = "kaizen.approvals")
public interface ApprovalConfig {

    /**
     * How often every replica looks for undecided requests whose timer (expiry, escalation, reminder) is due (default
     * 30s). Each due time is a column, so a timer that fell due while no replica ran fires at the first sweep after
     * start.
     */
    @WithDefault("30s")
    Duration expiryInterval();

    /** The most requests one sweep of a timer claims (default 100); a full sweep is followed by another at once. */
    @WithDefault("100")
    int expiryBatchSize();

    /**
     * The key that signs the links to the approver page (HMAC-SHA-256): a long random text (env
     * {@code KAIZEN_APPROVALS_LINK_KEY}). The dev and test profiles have a default; outside them the service refuses to
     * start without one. Changing it invalidates every link sent so far (approvers then sign in instead).
     */
    Optional<String> linkKey();

    /**
     * The public address of the suite (the router or ingress) that links to the approver page start with, e.g.
     * {@code https://kaizen.example.com}; the page itself is {@code <page-url>/approvals/review/<token>}.
     */
    @WithDefault("http://localhost:8080")
    String pageUrl();

    /** How long a link works at most (default 24h); never past its request's due time. */
    @WithDefault("24h")
    Duration linkTtl();

    /** Above this many pending requests the health check reports {@code degraded} (still up; default 100). */
    @WithDefault("100")
    int pendingDegradedAbove();

    /** How often the {@code pending_approvals_count} gauge is refreshed from the database (default 15s). */
    @WithDefault("15s")
    Duration pendingGaugeInterval();
}
