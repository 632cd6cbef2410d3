package io.kaizen.lineage.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.QueryTime;
import io.kaizen.common.rest.TextLength;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.lineage.service.LineageCursor;
import io.kaizen.lineage.service.LineageErasure;
import io.kaizen.lineage.service.LineageGraph;
import io.kaizen.lineage.service.LineageService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The caller's organisation's lineage: list, one row, and a person's access and erasure. */
@Path("/api/v1/lineage")
@Produces(MediaType.APPLICATION_JSON)
public class LineageResource {

    private final LineageService lineage;
    private final LineageGraph graph;
    private final LineageErasure erasure;
    private final CurrentPrincipal caller;

    LineageResource(LineageService lineage, LineageGraph graph, LineageErasure erasure, CurrentPrincipal caller) {
        this.lineage = lineage;
        this.graph = graph;
        this.erasure = erasure;
        this.caller = caller;
    }

    @Schema(name = "LineagePage")
    public record Page(List<LineageView> items, long total, int page, int limit, boolean hasMore,
            @Schema(nullable = true, description = "The cursor of the next page, when there is one") String nextCursor) {
    }

    @Schema(name = "LineageUserSummary")
    public record UserSummary(String userEmail, long invocationCount, BigDecimal totalCostUsd,
            @Schema(nullable = true) Instant firstSeen, @Schema(nullable = true) Instant lastSeen,
            @Schema(description = "The newest 1000") List<LineageErasure.Invocation> invocations,
            @Schema(description = "Audit records still holding the person's personal data") long auditRecordsHeld) {
    }

    /**
     * Rows newest first. {@code from}/{@code to} bound {@code request_timestamp} (ISO-8601, to exclusive);
     * {@code cursor} (a previous page's {@code next_cursor}) pages by keyset instead of {@code page}.
     */
    @GET
    @PermissionsAllowed(Permissions.LINEAGE_READ)
    public Uni<Page> list(@QueryParam("external_user_id") String externalUserId,
            @QueryParam("external_user_email") String externalUserEmail,
            @QueryParam("external_system") String externalSystem,
            @QueryParam("external_agent_id") String externalAgentId, @QueryParam("status") String status,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") String cursor,
            @QueryParam("page") String pageParam, @QueryParam("limit") @Parameter(schema = @Schema(
                    type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "100")) String limitParam) {
        Paging paging = Paging.parse(pageParam, limitParam, 100, 1000);
        LineageCursor after = cursor(cursor);
        if (after != null && paging.page() > 1) {
            throw ProblemException.validation("Query parameters 'cursor' and 'page' cannot be combined");
        }
        LineageService.Query query = query(caller.organizationId(), externalUserId, externalUserEmail, externalSystem,
                externalAgentId, status, from, to);
        int limit = paging.limit();
        return lineage.find(query, after, after == null ? paging.offset() : 0, limit).map(slice -> {
            List<LineageView> items = slice.items().stream().map(LineageView::of).toList();
            boolean full = items.size() == limit;
            boolean hasMore = after == null ? paging.hasMore(slice.total()) : full;
            String next = full && hasMore
                    ? LineageCursor.after(slice.items().get(items.size() - 1)).encode() : null;
            return new Page(items, slice.total(), paging.page(), limit, hasMore, next);
        });
    }

    /**
     * The graph of one external agent ({@code external_agent_id}) or one workflow ({@code workflow_id}, the trace the
     * calling workflow passes as {@code X-External-Trace-ID}); exactly one is required. Nodes are the five layers'
     * parties, edges the calls between them with their counts, cost and last time, busiest first up to
     * {@code node_limit} (500, at most 1000; {@code metadata.truncated} says when some were left out). The time range
     * is {@code from}/{@code to} as in the list, or {@code start_date}/{@code end_date} as the original names them.
     * Another organisation's agent or workflow is an empty graph.
     */
    @GET
    @Path("/graph")
    @PermissionsAllowed(Permissions.LINEAGE_READ)
    public Uni<LineageGraph.Graph> graph(@QueryParam("external_agent_id") String externalAgentId,
            @QueryParam("workflow_id") String workflowId, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("start_date") String startDate,
            @QueryParam("end_date") String endDate, @QueryParam("node_limit") @Parameter(schema = @Schema(
                    type = SchemaType.INTEGER, minimum = "5", maximum = "1000", defaultValue = "500")) String nodeLimit) {
        String agent = text("external_agent_id", externalAgentId);
        String workflow = text("workflow_id", workflowId);
        if ((agent == null) == (workflow == null)) {
            throw ProblemException.validation("Either workflow_id or external_agent_id must be provided, not both");
        }
        Instant fromTime = QueryTime.parse(from != null ? "from" : "start_date",
                either("from", from, "start_date", startDate));
        Instant toTime = QueryTime.parse(to != null ? "to" : "end_date", either("to", to, "end_date", endDate));
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw ProblemException.validation("The start of the time range must be before its end");
        }
        return graph.graph(new LineageGraph.Query(caller.organizationId(), agent, workflow, fromTime, toTime,
                Paging.wholeNumber("node_limit", nodeLimit, 500, 5, 1000)));
    }

    @GET
    @Path("/users/{email}")
    @PermissionsAllowed(Permissions.LINEAGE_READ)
    public Uni<UserSummary> user(@PathParam("email") @Parameter(schema = @Schema(pattern = EMAIL_SEGMENT,
            minLength = 3, maxLength = 320)) String email) {
        String address = email(email);
        return erasure.summary(caller.organizationId(), address).map(s -> new UserSummary(address,
                s.invocationCount(), s.totalCostUsd(), s.firstSeen(), s.lastSeen(), s.invocations(),
                s.auditRecordsHeld()));
    }

    /** Erases the person's personal data from the organisation's lineage and audit log; 204. */
    @DELETE
    @Path("/users/{email}")
    @PermissionsAllowed(Permissions.GDPR_REDACT)
    @APIResponse(responseCode = "204", description = "The person's data is erased")
    public Uni<Response> erase(@PathParam("email") @Parameter(schema = @Schema(pattern = EMAIL_SEGMENT,
            minLength = 3, maxLength = 320)) String email) {
        return erasure.erase(caller.organizationId(), email(email), caller.get().subject())
                .map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("/{invocationId}")
    @PermissionsAllowed(Permissions.LINEAGE_READ)
    public Uni<LineageView> get(@PathParam("invocationId") String invocationId) {
        return lineage.get(invocationId, caller.organizationId()).map(LineageView::of);
    }

    /** The filters shared by the list and the export, checked; a malformed one is a 400 naming it. */
    static LineageService.Query query(String organizationId, String externalUserId, String externalUserEmail,
            String externalSystem, String externalAgentId, String status, String from, String to) {
        Instant fromTime = QueryTime.parse("from", from);
        Instant toTime = QueryTime.parse("to", to);
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw ProblemException.validation("Query parameter 'from' must be before 'to'");
        }
        return new LineageService.Query(organizationId, text("external_user_id", externalUserId),
                text("external_user_email", externalUserEmail), text("external_system", externalSystem),
                text("external_agent_id", externalAgentId), text("status", status), fromTime, toTime);
    }

    /** One bound of a time range under either of its two names, not both. */
    private static String either(String name, String value, String alias, String aliasValue) {
        if (value != null && aliasValue != null) {
            throw ProblemException.validation("Query parameters '" + name + "' and '" + alias + "' cannot be combined");
        }
        return value != null ? value : aliasValue;
    }

    private static LineageCursor cursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            return LineageCursor.parse(cursor.strip());
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation("Query parameter 'cursor' is not a next_cursor of this API");
        }
    }

    /**
     * What {@link #email} takes, as the documents say it: an {@code @} that is neither first nor last, no blank, and
     * one path segment.
     */
    static final String EMAIL_SEGMENT = "^[^@\\s/\\\\\\u0000-\\u001F\\u007F][^\\s/\\\\\\u0000-\\u001F\\u007F]*@"
            + "[^\\s/\\\\\\u0000-\\u001F\\u007F]+$";

    private static String email(String email) {
        String address = email == null ? "" : email.strip();
        if (TextLength.of(address) < 3 || TextLength.of(address) > 320 || address.indexOf('@') < 1
                || address.indexOf('@') == address.length() - 1) {
            throw ProblemException.validation("Path parameter 'email' must be an email address");
        }
        return address;
    }

    private static String text(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (TextLength.of(value) > 320) {
            throw ProblemException.validation("Query parameter '" + name + "' must be at most 320 characters");
        }
        return value.strip();
    }
}
