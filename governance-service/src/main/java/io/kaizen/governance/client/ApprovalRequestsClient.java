package io.kaizen.governance.client;

import java.util.List;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

/** approval-service's internal API: what an approval request decided, for the calls that claim its approval. */
@RegisterRestClient(configKey = "approval")
@Path("/internal/v1")
@ClientHeaderParam(name = "X-Kaizen-Service-Token", value = "${kaizen.internal.service-token}")
public interface ApprovalRequestsClient {

    /** The part of a request a claimed approval is checked against. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record ApprovalRequest(String id, String organizationId, String externalAgentId, String requestedByUserId,
            String status, List<String> invocationIds) {
    }

    @GET
    @Path("/approval-requests/{id}")
    Uni<ApprovalRequest> get(@PathParam("id") String id);
}
