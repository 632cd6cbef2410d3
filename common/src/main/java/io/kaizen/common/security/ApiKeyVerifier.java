package io.kaizen.common.security;

import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;

/**
 * Looks an API key up by its hash. The registry answers from its own table; every other service asks the registry
 * (see {@link RegistryApiKeyVerifier}). Answers are never cached, so a revoked or expired key is refused at once.
 */
public interface ApiKeyVerifier {

    /**
     * @param keyHash {@link ApiKeyFormat#hash(String)} of the presented key
     * @return the verification (invalid for an unknown, revoked or expired key); fails with a 503 problem when no
     *         answer can be had
     */
    Uni<ApiKeyVerification> verify(String keyHash);

    /** The answer when keys cannot be verified (the registry or its database is unreachable): 503, retry later. */
    static ProblemException unavailable() {
        return new ProblemException(503, ErrorCode.UPSTREAM_ERROR,
                "API keys cannot be verified right now; retry shortly").header("Retry-After", "5");
    }
}
