package io.kaizen.registry.rest;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.registry.service.AgentService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Agent definitions for the gateway; guarded by the service token (see ServiceTokenFilter), never routed publicly. */
@Path("/internal/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class InternalAgentResource {

    private final AgentService agents;

    InternalAgentResource(AgentService agents) {
        this.agents = agents;
    }

    @GET
    @Path("/{id}")
    public Uni<AgentDefinition> get(@PathParam("id") String id) {
        return agents.definition(AgentResource.requireAgentId(id));
    }
}
