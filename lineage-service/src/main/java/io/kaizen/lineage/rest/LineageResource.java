package io.kaizen.lineage.rest;

import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.lineage.domain.LineageRecord;
import io.kaizen.lineage.service.LineageService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/lineage")
@Produces(MediaType.APPLICATION_JSON)
public class LineageResource {

    private final LineageService lineage;
    private final CurrentPrincipal caller;

    LineageResource(LineageService lineage, CurrentPrincipal caller) {
        this.lineage = lineage;
        this.caller = caller;
    }

    @GET
    @Path("/{invocationId}")
    @PermissionsAllowed(Permissions.LINEAGE_READ)
    public Uni<LineageView> get(@PathParam("invocationId") String invocationId) {
        return lineage.get(invocationId, caller.organizationId()).map(LineageView::of);
    }
}
