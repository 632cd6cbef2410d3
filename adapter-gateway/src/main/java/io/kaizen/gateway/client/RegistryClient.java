package io.kaizen.gateway.client;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.kaizen.common.agents.AgentDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

@RegisterRestClient(configKey = "registry")
@Path("/internal/v1/agents")
@ClientHeaderParam(name = "X-Kaizen-Service-Token", value = "${kaizen.internal.service-token}")
public interface RegistryClient {

    @GET
    @Path("/{id}")
    Uni<AgentDefinition> agent(@PathParam("id") String id);
}
