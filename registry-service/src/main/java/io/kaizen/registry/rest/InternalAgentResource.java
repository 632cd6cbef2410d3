package io.kaizen.registry.rest;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.rest.Paging;
import io.kaizen.registry.service.AgentService;
import io.kaizen.registry.service.CredentialRotation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Service-to-service API of registry; guarded by the service token (ServiceTokenFilter), never routed publicly. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class InternalAgentResource {

    private final AgentService agents;
    private final CredentialRotation rotation;

    InternalAgentResource(AgentService agents, CredentialRotation rotation) {
        this.agents = agents;
        this.rotation = rotation;
    }

    /**
     * The agent with decrypted credentials, for the gateway; each call is audited. The gateway calls it to fill its
     * agent cache, not on every invoke, so the audit is per cache fill.
     */
    @GET
    @Path("/agents/{id}")
    public Uni<AgentDefinition> get(@PathParam("id") String id) {
        return agents.definition(AgentIds.require(id));
    }

    /** Re-encrypts every credential under the newest key (see docs/operations.md). */
    @POST
    @Path("/credentials/rotate")
    public Uni<CredentialRotation.Report> rotate(
            @QueryParam("batch_size") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                    maximum = "1000", defaultValue = "100")) String batchSize) {
        return rotation.rotate(Paging.wholeNumber("batch_size", batchSize, 100, 1, 1000));
    }
}
