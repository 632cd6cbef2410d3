package io.kaizen.registry.client;

import java.util.List;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.governance.AgentUsage;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

@RegisterRestClient(configKey = "governance")
@Path("/internal/v1/agents")
@ClientHeaderParam(name = "X-Kaizen-Service-Token", value = "${kaizen.internal.service-token}")
public interface GovernanceClient {

    @PUT
    @Path("/{id}/governance")
    Uni<AgentGovernanceSettings> put(@PathParam("id") String agentId, AgentGovernanceSettings settings);

    @PATCH
    @Path("/{id}/governance")
    Uni<AgentGovernanceSettings> change(@PathParam("id") String agentId, AgentGovernanceSettings settings);

    @POST
    @Path("/usage")
    Uni<UsageList> usage(UsageQuery query);

    record UsageQuery(List<String> agentIds) {
    }

    record UsageList(List<AgentUsage> items) {
    }
}
