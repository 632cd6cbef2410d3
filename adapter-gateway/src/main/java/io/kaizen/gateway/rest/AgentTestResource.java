package io.kaizen.gateway.rest;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.server.Cancellable;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.service.AgentTests;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/v1/external-agents/{id}/test}: sends a real test message to the agent. */
@Path("/api/v1/external-agents/{id}/test")
// as an invoke: a test message under way is sent and counted whether or not its caller waits
@Cancellable(false)
public class AgentTestResource {

    private final AgentTests tests;
    private final CurrentPrincipal caller;

    AgentTestResource(AgentTests tests, CurrentPrincipal caller) {
        this.tests = tests;
        this.caller = caller;
    }

    /** Optional body: the text to send instead of the standard test message. */
    public record TestRequest(@Size(min = 1, max = 4000) String message) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    @APIResponse(responseCode = "200", description = "The test ran; success says whether the agent answered with a"
            + " 2xx (error says why not)", content = @Content(schema = @Schema(implementation = AgentTests.Result.class)))
    @APIResponse(responseCode = "404", description = "No such agent in the caller's organisation")
    @APIResponse(responseCode = "409", description = "The agent is not active, or its platform cannot be reached")
    @APIResponse(responseCode = "429", description = "10 test messages per agent per hour; Retry-After says when")
    public Uni<AgentTests.Result> test(@PathParam("id") String agentId, @Valid TestRequest request) {
        AgentIds.require(agentId);
        return tests.test(agentId, caller.get().organizationId(), request == null ? null : request.message());
    }
}
