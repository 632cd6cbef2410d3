package io.kaizen.governance.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How governance's per-agent metric series are bounded and how often Redis is pinged ({@code kaizen.metrics.*}). */
@ConfigMapping(prefix = "kaizen.metrics")
public interface MetricsConfig {

    /**
     * At most this many agents have their own series of {@code external_agent_budget_usage_percentage} and
     * {@code external_agent_rate_limit_remaining} on one replica; a new agent beyond it replaces the one idle longest.
     */
    @WithDefault("1000")
    int maxAgentSeries();

    /** An agent's series are dropped after this long without a decision (a deleted agent has none). */
    @WithDefault("1h")
    Duration agentSeriesIdle();

    /** How often {@code redis_up} is refreshed by a PING. */
    @WithDefault("10s")
    Duration redisPingInterval();
}
