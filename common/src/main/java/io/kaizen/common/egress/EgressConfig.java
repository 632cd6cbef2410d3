package io.kaizen.common.egress;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where services may call out to, and which URLs registration accepts. */
@ConfigMapping(prefix = "kaizen.egress")
public interface EgressConfig {

    /** Allow calls to loopback addresses (local development and tests only). */
    @WithDefault("false")
    boolean allowLoopback();

    /** Refuse plain http destinations. */
    @WithDefault("false")
    boolean httpsOnly();

    /** When set, outbound calls may only go to these domains and their subdomains. */
    Optional<List<String>> allowedDomains();
}
