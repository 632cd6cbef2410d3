package io.kaizen.approval.config;

import java.time.Duration;

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
}
