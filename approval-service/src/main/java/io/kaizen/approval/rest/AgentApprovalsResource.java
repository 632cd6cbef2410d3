package io.kaizen.approval.rest;

import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.rest.ApprovalViews.ApprovalSummary;
import io.kaizen.approval.rest.ApprovalViews.PendingApprovals;
import io.kaizen.approval.service.ApprovalRequests;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.Permissions;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The pending requests of one agent (original-spec §2.3.17 D1), escalated ones included, newest first. */
@Path("/api/v1/external-agents/{id}/approvals/pending")
@Produces(MediaType.APPLICATION_JSON)
public class AgentApprovalsResource {

    private final ApprovalRequests requests;
    private final CurrentPrincipal caller;

    AgentApprovalsResource(ApprovalRequests requests, CurrentPrincipal caller) {
        this.requests = requests;
        this.caller = caller;
    }

    @GET
    @PermissionsAllowed(Permissions.APPROVALS_READ)
    public Uni<PendingApprovals> pending(@PathParam("id") String agentId, @QueryParam("limit") String limit) {
        AgentIds.require(agentId);
        Paging paging = Paging.parse(null, limit, 100, 100);
        return requests.list(new ApprovalRequests.Filter(caller.organizationId(), ApprovalRequest.UNDECIDED, agentId,
                        null), 0, paging.limit())
                .map(listing -> new PendingApprovals(listing.items().stream().map(ApprovalSummary::of).toList(),
                        listing.total()));
    }
}
