package io.kaizen.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How invoke requests carry their lineage. */
@ConfigMapping(prefix = "kaizen.lineage")
public interface LineageConfig {

    /** Require the four X-External-* lineage headers on invoke (400 when one is missing). */
    @WithDefault("true")
    boolean strict();
}
