package io.kaizen.common.egress;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

public class EgressGuardProducer {

    @Produces
    @ApplicationScoped
    EgressGuard egressGuard(EgressConfig config) {
        return new EgressGuard(config.allowLoopback(), config.httpsOnly(),
                config.allowedDomains().orElse(List.of()));
    }
}
