package io.kaizen.approval.rest;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRefusal;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.rest.ApprovalViews.ApprovalPage;
import io.kaizen.approval.rest.ApprovalViews.ApprovalSummary;
import io.kaizen.approval.rest.ApprovalViews.ApprovalView;
import io.kaizen.approval.rest.ApprovalViews.DecisionView;
import io.kaizen.approval.service.ApprovalDecisions;
import io.kaizen.approval.service.ApprovalRequests;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** Approval requests as approvers and requesters see them; the approver is the authenticated user. */
@Path("/api/v1/approvals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApprovalResource {

    private final ApprovalRequests requests;
    private final ApprovalDecisions decisions;
    private final CurrentPrincipal caller;

    ApprovalResource(ApprovalRequests requests, ApprovalDecisions decisions, CurrentPrincipal caller) {
        this.requests = requests;
        this.decisions = decisions;
        this.caller = caller;
    }

    @GET
    @PermissionsAllowed(Permissions.APPROVALS_READ)
    public Uni<ApprovalPage> list(
            @QueryParam("status") @Parameter(schema = @Schema(enumeration = {"pending", "escalated", "approved",
                    "rejected", "expired"})) String status,
            @QueryParam("agent_id") @Parameter(schema = @Schema(type = SchemaType.STRING,
                    pattern = PrefixedId.AGENT_PATTERN))
            String agentId,
            @QueryParam("mine") @Parameter(schema = @Schema(type = SchemaType.BOOLEAN)) String mine,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        Paging paging = Paging.parse(page, limit, 20, 100);
        if (status != null && !ApprovalRequest.STATUSES.contains(status)) {
            throw ProblemException.validation("Query parameter 'status' must be one of "
                    + String.join(", ", ApprovalRequest.STATUSES)).with("field", "status");
        }
        if (agentId != null && !PrefixedId.isValid(PrefixedId.AGENT, agentId)) {
            throw ProblemException.validation("Query parameter 'agent_id' must be an external agent id")
                    .with("field", "agent_id");
        }
        KaizenPrincipal principal = caller.get();
        String requestedBy = flag("mine", mine) ? principal.subject() : null;
        return requests.list(new ApprovalRequests.Filter(principal.organizationId(),
                        status == null ? null : List.of(status), agentId, requestedBy),
                        paging.page() - 1, paging.limit())
                .map(listing -> new ApprovalPage(listing.items().stream().map(ApprovalSummary::of).toList(),
                        listing.total(), paging.page(), paging.limit(), paging.hasMore(listing.total())));
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permissions.APPROVALS_READ)
    @APIResponse(responseCode = "200", description = "The request",
            content = @Content(schema = @Schema(implementation = ApprovalView.class)))
    @APIResponse(responseCode = "404", description = "No such request in the caller's organisation")
    public Uni<ApprovalView> get(@PathParam("id") String id) {
        requireId(id);
        return requests.find(caller.organizationId(), id).map(state -> {
            if (state == null) {
                throw ApprovalProblems.notFound(id);
            }
            return ApprovalView.of(state);
        });
    }

    @POST
    @Path("/{id}/approve")
    @PermissionsAllowed(Permissions.APPROVALS_APPROVE)
    @APIResponse(responseCode = "200", description = "The approval is recorded; the request is approved once enough"
            + " distinct approvers approved it", content = @Content(schema = @Schema(implementation = DecisionView.class)))
    @APIResponse(responseCode = "403", description = "Self-approval, or the caller is not an approver of the request")
    @APIResponse(responseCode = "404", description = "No such request in the caller's organisation")
    @APIResponse(responseCode = "409", description = "The request is already decided")
    @APIResponse(responseCode = "410", description = "The request has expired")
    public Uni<DecisionView> approve(@PathParam("id") String id, @Valid DecisionBody body) {
        requireId(id);
        KaizenPrincipal principal = caller.get();
        String reason = body == null ? null : blankToNull(body.reason());
        return decided(decisions.approve(id, principal, reason), principal, ApprovalDecision.APPROVE);
    }

    @POST
    @Path("/{id}/reject")
    @PermissionsAllowed(Permissions.APPROVALS_APPROVE)
    @APIResponse(responseCode = "200", description = "The request is rejected",
            content = @Content(schema = @Schema(implementation = DecisionView.class)))
    @APIResponse(responseCode = "400", description = "The reason is missing")
    @APIResponse(responseCode = "403", description = "Self-approval, or the caller is not an approver of the request")
    @APIResponse(responseCode = "404", description = "No such request in the caller's organisation")
    @APIResponse(responseCode = "409", description = "The request is already decided")
    @APIResponse(responseCode = "410", description = "The request has expired")
    public Uni<DecisionView> reject(@PathParam("id") String id, @Valid DecisionBody body) {
        requireId(id);
        String reason = body == null ? null : blankToNull(body.reason());
        if (reason == null) {
            throw ProblemException.validation("Reason is required for rejection").with("field", "reason");
        }
        KaizenPrincipal principal = caller.get();
        return decided(decisions.reject(id, principal, reason), principal, ApprovalDecision.REJECT);
    }

    private static Uni<DecisionView> decided(Uni<ApprovalState> decision, KaizenPrincipal principal, String kind) {
        return decision.onFailure(ApprovalRefusal.class).transform(e -> ApprovalProblems.of((ApprovalRefusal) e))
                .map(state -> {
                    ApprovalRequest r = state.request();
                    // the caller's decision: this one, or the one they made before (with or without a key)
                    ApprovalDecision mine = state.decisions().stream()
                            .filter(d -> d.by(principal.persons())).findFirst().orElseThrow();
                    return new DecisionView(r.id, r.status, kind.equals(ApprovalDecision.APPROVE) ? "approved"
                            : "rejected", mine.approverId, mine.reason, r.approvalCount, r.requiredApprovals,
                            r.decidedAt);
                });
    }

    /** A malformed id cannot exist: 404, without echoing what the caller put in the path. */
    static void requireId(String id) {
        if (!PrefixedId.isValid(PrefixedId.APPROVAL, id)) {
            throw ProblemException.notFound("No approval request has that id");
        }
    }

    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static boolean flag(String name, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw ProblemException.validation("Query parameter '" + name + "' must be true or false").with("field", name);
    }
}
