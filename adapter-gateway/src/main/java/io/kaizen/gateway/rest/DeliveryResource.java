package io.kaizen.gateway.rest;

import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.rest.DeliveryViews.DeliveryPage;
import io.kaizen.gateway.rest.DeliveryViews.DeliveryView;
import io.kaizen.gateway.service.Deliveries;
import io.kaizen.gateway.service.Deliveries.Replay;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The organisation's deliveries (result callbacks, notifications): list them, and replay one that gave up. */
@Path("/api/v1/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class DeliveryResource {

    static final Set<String> STATUSES = Set.of(Delivery.PENDING, Delivery.DELIVERED, Delivery.FAILED,
            Delivery.EXHAUSTED);

    private final Deliveries deliveries;
    private final CurrentPrincipal caller;

    DeliveryResource(Deliveries deliveries, CurrentPrincipal caller) {
        this.deliveries = deliveries;
        this.caller = caller;
    }

    @GET
    @PermissionsAllowed(Permissions.AGENTS_READ)
    @APIResponse(responseCode = "200", description = "The organisation's deliveries, newest first",
            content = @Content(schema = @Schema(implementation = DeliveryPage.class)))
    @APIResponse(responseCode = "400", description = "An unknown status, or malformed paging")
    public Uni<DeliveryPage> list(
            @Parameter(description = "pending, delivered, failed or exhausted; all when absent",
                    schema = @Schema(enumeration = {"pending", "delivered", "failed", "exhausted"}))
            @QueryParam("status") String status,
            @QueryParam("page") String page, @QueryParam("limit") String limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation(
                    "Query parameter 'status' must be one of pending, delivered, failed, exhausted");
        }
        return deliveries.list(caller.organizationId(), status, Paging.parse(page, limit, 20, 100))
                .map(DeliveryPage::of);
    }

    @POST
    @Path("/{id}/retry")
    @PermissionsAllowed(Permissions.AGENTS_INVOKE)
    @APIResponse(responseCode = "200", description = "The delivery, pending again with a new schedule",
            content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    @APIResponse(responseCode = "404", description = "No such delivery in the organisation")
    @APIResponse(responseCode = "409", description = "The delivery is pending or delivered: nothing to replay")
    public Uni<DeliveryView> retry(@PathParam("id") String id) {
        if (!PrefixedId.isValid(PrefixedId.DELIVERY, id)) {
            throw notFound();
        }
        return deliveries.replay(caller.organizationId(), id).map(replay -> {
            if (replay instanceof Replay.Replayed replayed) {
                return DeliveryView.of(replayed.delivery());
            }
            if (replay instanceof Replay.NotReplayable refused) {
                throw ProblemException.conflict("The delivery is " + refused.status()
                        + "; only a failed or exhausted delivery can be retried").with("status", refused.status());
            }
            throw notFound();
        });
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("The delivery does not exist or you don't have access");
    }
}
