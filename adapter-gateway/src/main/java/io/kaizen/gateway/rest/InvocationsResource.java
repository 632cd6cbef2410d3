package io.kaizen.gateway.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.QueryTime;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.domain.Invocation;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Reading invocations: one by id (the result of an asynchronous invoke), and an agent's, newest first. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class InvocationsResource {

    static final Set<String> STATUSES = Set.of(Invocation.ACCEPTED, Invocation.SUCCESS, Invocation.FAILURE,
            Invocation.TIMEOUT, Invocation.BLOCKED, Invocation.PENDING_APPROVAL, Invocation.REJECTED,
            Invocation.EXPIRED);

    private final CurrentPrincipal caller;
    private final ObjectMapper mapper;

    InvocationsResource(CurrentPrincipal caller, ObjectMapper mapper) {
        this.caller = caller;
        this.mapper = mapper;
    }

    public record Page(List<InvocationView> items, long total, int page, int limit, boolean hasMore) {
    }

    @GET
    @Path("/invocations/{id}")
    @WithSession
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<InvocationView> get(@PathParam("id") String id) {
        String organizationId = caller.get().organizationId();
        // by its key alone, then the organisation (developer guide: "An organisation's row by its id")
        return Invocation.<Invocation>findById(id)
                .map(invocation -> {
                    if (invocation == null || !invocation.organizationId.equals(organizationId)) {
                        throw ProblemException.notFound("Invocation not found");
                    }
                    return InvocationView.of(invocation, mapper);
                });
    }

    @GET
    @Path("/external-agents/{id}/invocations")
    @WithSession
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<Page> list(@PathParam("id") String agentId,
            @Parameter(schema = @Schema(enumeration = {"accepted", "success", "failure", "timeout", "blocked",
                    "pending_approval", "rejected", "expired"}))
            @QueryParam("status") String status,
            @Parameter(description = "ISO-8601 UTC instant, inclusive") @QueryParam("start_date") String startDate,
            @Parameter(description = "ISO-8601 UTC instant, exclusive") @QueryParam("end_date") String endDate,
            @QueryParam("page") String page, @QueryParam("limit") String limit) {
        AgentIds.require(agentId);
        Paging paging = Paging.parse(page, limit, 20, 100);
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.validation("Query parameter 'status' must be one of accepted, success, failure,"
                    + " timeout, blocked, pending_approval, rejected, expired");
        }
        Instant from = QueryTime.parse("start_date", startDate);
        Instant to = QueryTime.parse("end_date", endDate);
        StringBuilder query = new StringBuilder("organizationId = :organization and agentId = :agent");
        Map<String, Object> parameters = new java.util.HashMap<>(Map.of("organization", caller.get().organizationId(),
                "agent", agentId));
        if (status != null) {
            query.append(" and status = :status");
            parameters.put("status", status);
        }
        if (from != null) {
            query.append(" and createdAt >= :from");
            parameters.put("from", from);
        }
        if (to != null) {
            query.append(" and createdAt < :to");
            parameters.put("to", to);
        }
        var found = Invocation.<Invocation>find(query.toString(), Sort.descending("createdAt").and("id"), parameters)
                .page(paging.page() - 1, paging.limit());
        return found.list().chain(rows -> found.count().map(total -> {
            List<InvocationView> items = new ArrayList<>();
            rows.forEach(row -> items.add(InvocationView.of(row, mapper)));
            return new Page(items, total, paging.page(), paging.limit(), paging.hasMore(total));
        }));
    }
}
