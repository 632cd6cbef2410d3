package io.kaizen.common.security;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** The registry's internal verification endpoint; only the key's hash travels. */
@RegisterRestClient(configKey = "registry")
@Path("/internal/v1/api-keys")
@ClientHeaderParam(name = ServiceTokenFilter.HEADER, value = "${kaizen.internal.service-token}")
public interface ApiKeyVerificationClient {

    @POST
    @Path("/verify")
    Uni<ApiKeyVerification> verify(ApiKeyVerification.Request request);
}
