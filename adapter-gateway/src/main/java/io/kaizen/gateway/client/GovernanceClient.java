package io.kaizen.gateway.client;

import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.DecisionRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

@RegisterRestClient(configKey = "governance")
@Path("/internal/v1")
@ClientHeaderParam(name = "X-Kaizen-Service-Token", value = "${kaizen.internal.service-token}")
public interface GovernanceClient {

    @POST
    @Path("/decisions")
    Uni<Decision> decide(DecisionRequest request);

    /** Gives back a reservation of a call that will not run. */
    @POST
    @Path("/reservations/{id}/release")
    Uni<Void> release(@PathParam("id") String reservationId);
}
