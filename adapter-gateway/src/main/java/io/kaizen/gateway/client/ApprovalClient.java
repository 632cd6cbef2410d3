package io.kaizen.gateway.client;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/** approval-service's internal API: the request that holds an invocation until a human decides. */
@RegisterRestClient(configKey = "approval")
@Path("/internal/v1")
@ClientHeaderParam(name = "X-Kaizen-Service-Token", value = "${kaizen.internal.service-token}")
public interface ApprovalClient {

    /**
     * What approval-service needs to open (or find) the request of a held invocation; {@code requestedByOwner} is
     * the owner of the API key the call was made with, who counts as the requester too; the requester's roles say
     * whether its workflow trusts them (auto-approval).
     */
    record Opening(String invocationId, String organizationId, String agentId, String requestedBy,
            String requestedByOwner, String requestedByTeam, String externalUserId, String triggerReason,
            BigDecimal estimatedCost, String payloadSummary, List<String> requestedByRoles) {
    }

    /** The request opened or found: its id and status ({@code approved} at once when the requester is trusted). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Opened(String id, String status) {

        public boolean approved() {
            return "approved".equals(status);
        }
    }

    @POST
    @Path("/approval-requests")
    Uni<Opened> open(Opening opening);
}
