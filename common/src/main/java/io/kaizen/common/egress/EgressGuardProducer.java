package io.kaizen.common.egress;

import java.util.List;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

public class EgressGuardProducer {

    @Produces
    @ApplicationScoped
    EgressGuard egressGuard(EgressConfig config, HostResolver resolver) {
        return new EgressGuard(config.allowLoopback(), config.httpsOnly(),
                config.allowedDomains().orElse(List.of()), resolver);
    }

    /** The system resolver, unless the service declares another {@link HostResolver} bean. */
    @Produces
    @DefaultBean
    @ApplicationScoped
    HostResolver systemResolver() {
        return HostResolver.SYSTEM;
    }
}
