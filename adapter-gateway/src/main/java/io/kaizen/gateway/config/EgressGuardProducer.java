package io.kaizen.gateway.config;

import java.util.List;

import io.kaizen.common.egress.EgressGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

public class EgressGuardProducer {

    @Produces
    @ApplicationScoped
    EgressGuard egressGuard(GatewayConfig config) {
        return new EgressGuard(config.egress().allowLoopback(), config.egress().httpsOnly(),
                config.egress().allowedDomains().orElse(List.of()));
    }
}
