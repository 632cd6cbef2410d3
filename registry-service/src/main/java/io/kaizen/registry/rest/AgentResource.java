package io.kaizen.registry.rest;

import java.net.URI;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.Platform;
import io.kaizen.registry.service.AgentQuery;
import io.kaizen.registry.service.AgentService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
    @APIResponse(responseCode = "201", description = "Registered",
            content = @Content(schema = @Schema(implementation = AgentResponse.class)))
    @APIResponse(responseCode = "409", description = "An agent with this name exists in the organisation")
    public Uni<RestResponse<AgentResponse>> register(
            @NotNull(message = "request body is required") @Valid CreateAgentRequest request) {
        return agents.register(request, caller.get())
                .map(agent -> RestResponse.ResponseBuilder.<AgentResponse>created(
                        URI.create("/api/v1/external-agents/" + agent.id())).entity(agent).build());
    }

    @GET
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<AgentPage> list(@QueryParam("page") String page, @QueryParam("limit") String limit,
            @QueryParam("platform") @Parameter(schema = @Schema(implementation = Platform.class)) String platform,
            @QueryParam("status") @Parameter(schema = @Schema(enumeration = {"active", "inactive", "deleted"}))
            String status,
            @QueryParam("environment") @Parameter(schema = @Schema(implementation = Environment.class))
            String environment,
            @QueryParam("tag") @Parameter(schema = @Schema(pattern = "^[A-Za-z0-9_.:-]{1,50}$")) String tag,
            @QueryParam("search") @Parameter(schema = @Schema(maxLength = 200)) String search,
            @QueryParam("sort") @Parameter(schema = @Schema(enumeration = {"created_at", "-created_at", "updated_at",
                    "-updated_at", "name", "-name"}, defaultValue = "-created_at")) String sort) {
        return agents.list(new AgentQuery(caller.organizationId(), platform, status, environment, tag, search, sort,
                Paging.parse(page, limit, 20, 100)));
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<AgentResponse> get(@PathParam("id") String id) {
        return agents.get(AgentIds.require(id), caller.get());
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    @APIResponse(responseCode = "200", description = "The agent after the change",
            content = @Content(schema = @Schema(implementation = AgentResponse.class)))
    @APIResponse(responseCode = "409", description = "The agent is deleted, or the new name is taken")
    public Uni<AgentResponse> patch(@PathParam("id") String id,
            @NotNull(message = "request body is required") @Valid PatchAgentRequest patch) {
        return agents.patch(AgentIds.require(id), patch, caller.get());
    }

    @DELETE
    @Path("/{id}")
    @PermissionsAllowed(Permissions.AGENTS_DELETE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return agents.delete(AgentIds.require(id), caller.get()).map(ignored -> RestResponse.noContent());
    }
}
