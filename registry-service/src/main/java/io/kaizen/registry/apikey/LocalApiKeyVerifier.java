package io.kaizen.registry.apikey;

import org.jboss.logging.Logger;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.ApiKeyVerification;
import io.kaizen.common.security.ApiKeyVerifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The registry holds the keys, so it verifies them in its own table instead of calling itself. */
@ApplicationScoped
public class LocalApiKeyVerifier implements ApiKeyVerifier {

    private static final Logger LOG = Logger.getLogger(LocalApiKeyVerifier.class);

    private final ApiKeyService keys;

    LocalApiKeyVerifier(ApiKeyService keys) {
        this.keys = keys;
    }

    @Override
    public Uni<ApiKeyVerification> verify(String keyHash) {
        return keys.verify(keyHash).onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
            LOG.warnf("API key verification failed: %s", e.toString());
            return ApiKeyVerifier.unavailable();
        });
    }
}
