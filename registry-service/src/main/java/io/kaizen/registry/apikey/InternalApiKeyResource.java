package io.kaizen.registry.apikey;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.ApiKeyFormat;
import io.kaizen.common.security.ApiKeyVerification;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * API-key verification for the other services; guarded by the service token (see ServiceTokenFilter), never routed
 * publicly. Callers send the key's hash, never the key.
 */
@Path("/internal/v1/api-keys")
@PermitAll
public class InternalApiKeyResource {

    private final ApiKeyService keys;

    InternalApiKeyResource(ApiKeyService keys) {
        this.keys = keys;
    }

    @POST
    @Path("/verify")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ApiKeyVerification> verify(@NotNull(message = "request body is required") ApiKeyVerification.Request request) {
        if (!ApiKeyFormat.isHash(request.keyHash())) {
            throw ProblemException.validation("Field 'key_hash' must be a lower-case hex SHA-256");
        }
        return keys.verify(request.keyHash());
    }
}
