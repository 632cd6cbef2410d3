package io.kaizen.common.security;

import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * Verifies API keys by asking the registry, for every service but the registry itself (which replaces this bean
 * with a look-up in its own table). Every request asks again: nothing is cached, so revocation and expiry apply at
 * once everywhere. When the registry cannot answer the caller gets a 503, never a 500 and never a guess.
 */
@DefaultBean
@ApplicationScoped
public class RegistryApiKeyVerifier implements ApiKeyVerifier {

    private static final Logger LOG = Logger.getLogger(RegistryApiKeyVerifier.class);

    private final Instance<ApiKeyVerificationClient> registry;
    private final Duration timeout;

    RegistryApiKeyVerifier(@RestClient Instance<ApiKeyVerificationClient> registry,
            @ConfigProperty(name = "kaizen.api-keys.verify-timeout", defaultValue = "5s") Duration timeout) {
        this.registry = registry;
        this.timeout = timeout;
    }

    @Override
    public Uni<ApiKeyVerification> verify(String keyHash) {
        // deferred so that a client that cannot even be built (no registry URL configured) is a 503 too
        return Uni.createFrom().deferred(() -> registry.get().verify(new ApiKeyVerification.Request(keyHash)))
                .ifNoItem().after(timeout).fail()
                .onItem().ifNull().failWith(() -> new IllegalStateException("empty answer"))
                .onFailure().transform(e -> {
                    // the exception names the endpoint and status, never the request body with the hash
                    LOG.warnf("API key verification at the registry failed: %s", e.toString());
                    return ApiKeyVerifier.unavailable();
                });
    }
}
