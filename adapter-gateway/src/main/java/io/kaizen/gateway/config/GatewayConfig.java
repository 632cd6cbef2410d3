package io.kaizen.gateway.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

@ConfigMapping(prefix = "kaizen")
public interface GatewayConfig {

    Egress egress();

    Lineage lineage();

    interface Egress {
        /** Allow calls to loopback addresses (local development and tests only). */
        @WithDefault("false")
        boolean allowLoopback();

        /** Refuse plain http destinations. */
        @WithDefault("false")
        boolean httpsOnly();

        /** When set, outbound calls may only go to these domains and their subdomains. */
        @WithName("allowed-domains")
        Optional<List<String>> allowedDomains();
    }

    interface Lineage {
        /** Require the four X-External-* lineage headers on invoke (400 when one is missing). */
        @WithDefault("true")
        boolean strict();
    }
}
