package io.kaizen.gateway.rest;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.rest.DeliveryViews.DeliveryView;
import io.kaizen.gateway.rest.DeliveryViews.InvocationDeliveries;
import io.kaizen.gateway.service.Deliveries;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The deliveries of one invocation (its result callback, its notifications), each with every attempt. */
@Path("/api/v1/invocations/{id}/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class InvocationDeliveriesResource {

    private final Deliveries deliveries;
    private final CurrentPrincipal caller;

    InvocationDeliveriesResource(Deliveries deliveries, CurrentPrincipal caller) {
        this.deliveries = deliveries;
        this.caller = caller;
    }

    @GET
    @PermissionsAllowed(Permissions.AGENTS_READ)
    @APIResponse(responseCode = "200", description = "The invocation's deliveries, oldest first, with their attempts",
            content = @Content(schema = @Schema(implementation = InvocationDeliveries.class)))
    @APIResponse(responseCode = "404", description = "No such invocation in the organisation")
    public Uni<InvocationDeliveries> list(@PathParam("id") String invocationId) {
        if (!PrefixedId.isValid(PrefixedId.INVOCATION, invocationId)) {
            throw notFound();
        }
        return deliveries.forInvocation(caller.organizationId(), invocationId)
                .map(found -> new InvocationDeliveries(invocationId, found.orElseThrow(InvocationDeliveriesResource::notFound)
                        .stream().map(DeliveryView::of).toList()));
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("The invocation does not exist or you don't have access");
    }
}
