package io.kaizen.approval.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of approval-service ({@code kaizen.approvals.*}). */
@ConfigMapping(prefix = "kaizen.approvals")
public interface ApprovalConfig {

    /**
     * How often every replica looks for pending requests past their due time (default 30s). The due time is a
     * column, so a request that fell due while no replica ran is handled by the first sweep after start.
     */
    @WithDefault("30s")
    Duration expiryInterval();

    /** The most requests one sweep claims (default 100); a full sweep is followed by another at once. */
    @WithDefault("100")
    int expiryBatchSize();
}
