package io.kaizen.approval.rest;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.kaizen.approval.domain.ApprovalWorkflow;
import io.kaizen.approval.rest.ApprovalViews.WorkflowList;
import io.kaizen.approval.rest.ApprovalViews.WorkflowView;
import io.kaizen.approval.service.ApprovalWorkflows;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Approval workflows: the organisation's default ({@code /default}) and each agent's own ({@code /{agent_id}}).
 * Reading needs {@code approvals:read}; changing needs {@code policies:write}, the governance administrators'.
 */
@Path("/api/v1/approval-workflows")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApprovalWorkflowResource {

    static final String DEFAULT = "default";

    private final ApprovalWorkflows workflows;
    private final CurrentPrincipal caller;
    private final EgressGuard egress;

    ApprovalWorkflowResource(ApprovalWorkflows workflows, CurrentPrincipal caller, EgressGuard egress) {
        this.workflows = workflows;
        this.caller = caller;
        this.egress = egress;
    }

    @GET
    @PermissionsAllowed(Permissions.APPROVALS_READ)
    public Uni<WorkflowList> list() {
        return workflows.list(caller.organizationId())
                .map(rows -> new WorkflowList(rows.stream().map(WorkflowView::of).toList()));
    }

    /** The workflow that applies to {@code default} (the organisation) or to an agent, and where it comes from. */
    @GET
    @Path("/{scope}")
    @PermissionsAllowed(Permissions.APPROVALS_READ)
    @APIResponse(responseCode = "200", description = "The workflow in force",
            content = @Content(schema = @Schema(implementation = WorkflowView.class)))
    public Uni<WorkflowView> get(@PathParam("scope") String scope) {
        String agentId = scope(scope);
        return workflows.effective(caller.organizationId(), agentId)
                .map(e -> WorkflowView.of(agentId.equals(ApprovalWorkflow.DEFAULT) ? null : agentId, e.source(),
                        e.settings(), e.stored()));
    }

    @PUT
    @Path("/{scope}")
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    @APIResponse(responseCode = "200", description = "The workflow as stored",
            content = @Content(schema = @Schema(implementation = WorkflowView.class)))
    @APIResponse(responseCode = "400", description = "A field is invalid")
    @APIResponse(responseCode = "409", description = "Another first workflow of the same scope was stored at the same"
            + " time; read it and retry")
    public Uni<WorkflowView> put(@PathParam("scope") String scope,
            @NotNull(message = "request body is required") WorkflowBody body) {
        String agentId = scope(scope);
        KaizenPrincipal principal = caller.get();
        return workflows.put(principal.organizationId(), agentId, body.settings(egress), principal.subject())
                .map(WorkflowView::of);
    }

    /** Removes an agent's own workflow (the organisation's default applies again) or the organisation's default. */
    @DELETE
    @Path("/{scope}")
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "There was no such workflow")
    public Uni<Void> delete(@PathParam("scope") String scope) {
        String agentId = scope(scope);
        return workflows.remove(caller.organizationId(), agentId).map(removed -> {
            if (!removed) {
                throw ProblemException.notFound("No approval workflow is stored for " + scope);
            }
            return null;
        });
    }

    private static String scope(String scope) {
        return DEFAULT.equals(scope) ? ApprovalWorkflow.DEFAULT : AgentIds.require(scope);
    }
}
