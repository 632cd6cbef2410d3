package io.kaizen.lineage.rest;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.lineage.service.AuditLog;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditLog audit;
    private final CurrentPrincipal caller;

    AuditResource(AuditLog audit, CurrentPrincipal caller) {
        this.audit = audit;
        this.caller = caller;
    }

    public record Entry(String eventId, String type, @Schema(nullable = true) String source,
            @Schema(nullable = true) String subject, Instant occurredAt, Instant recordedAt) {
    }

    @Schema(name = "AuditPage")
    public record Page(List<Entry> items, long total, int page, int limit, boolean hasMore) {
    }

    @GET
    @PermissionsAllowed(Permissions.AUDIT_READ)
    public Uni<Page> list(@QueryParam("subject") String subject, @QueryParam("type") String type,
            @QueryParam("page") String pageParam, @QueryParam("limit") String limitParam) {
        Paging paging = Paging.parse(pageParam, limitParam, 20, 100);
        int page = paging.page();
        int limit = paging.limit();
        return audit.find(new AuditLog.Query(caller.organizationId(), subject, type, page, limit))
                .map(slice -> new Page(slice.items().stream()
                        .map(e -> new Entry(e.eventId, e.type, e.source, e.subject, e.occurredAt, e.recordedAt))
                        .toList(), slice.total(), page, limit, paging.hasMore(slice.total())));
    }
}
