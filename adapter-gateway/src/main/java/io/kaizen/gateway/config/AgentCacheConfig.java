package io.kaizen.gateway.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The gateway's cache of agents (AgentDirectory). Entries are dropped as soon as registry's {@code agent.*} events
 * arrive; the time to live only bounds how long an entry can outlive an event that never arrived.
 */
@ConfigMapping(prefix = "kaizen.gateway.agent-cache")
public interface AgentCacheConfig {

    /** Most agents held at once; beyond that, those least used go first. */
    @WithDefault("10000")
    long maxSize();

    /** Longest time an agent is served from the cache after it was read from registry. */
    @WithDefault("60s")
    Duration ttl();
}
