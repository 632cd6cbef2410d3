package io.kaizen.registry.rest;

import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.registry.service.AgentService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/external-agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {

    private final AgentService agents;
    private final CurrentPrincipal caller;

    AgentResource(AgentService agents, CurrentPrincipal caller) {
        this.agents = agents;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_CREATE)
    public Uni<RestResponse<AgentResponse>> register(@NotNull(message = "request body is required") @Valid CreateAgentRequest request) {
        return agents.register(request, caller.get())
                .map(agent -> RestResponse.ResponseBuilder.<AgentResponse>created(
                        java.net.URI.create("/api/v1/external-agents/" + agent.id())).entity(agent).build());
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<AgentResponse> get(@PathParam("id") String id) {
        return agents.get(requireAgentId(id), caller.get());
    }

    static String requireAgentId(String id) {
        if (!PrefixedId.isValid(PrefixedId.AGENT, id)) {
            throw ProblemException.notFound("External agent " + id + " does not exist or you don't have access");
        }
        return id;
    }
}
