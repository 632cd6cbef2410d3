package io.kaizen.approval.rest;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.approval.rest.ApprovalViews.ApprovalView;
import io.kaizen.approval.service.ApprovalRequests;
import io.kaizen.approval.service.OpenRequest;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.TextLength;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Service-to-service API of approval-service; guarded by the service token, never routed publicly. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@PermitAll
public class InternalApprovalResource {

    static final int MAX_ID = 255;
    static final int MAX_REASON = 4000;
    static final int MAX_ROLES = 50;

    private final ApprovalRequests requests;

    InternalApprovalResource(ApprovalRequests requests) {
        this.requests = requests;
    }

    /**
     * Opens the request for a held invocation: 201 with the new request; 200 with the request already opened for this
     * invocation, or with the pending request of the same user for the same agent, which the invocation joins.
     */
    @POST
    @Path("/approval-requests")
    @APIResponse(responseCode = "201", description = "A new request",
            content = @Content(schema = @Schema(implementation = ApprovalView.class)))
    @APIResponse(responseCode = "200", description = "The request this invocation already has, or joins",
            content = @Content(schema = @Schema(implementation = ApprovalView.class)))
    public Uni<RestResponse<ApprovalView>> open(@NotNull(message = "request body is required") OpenRequest body) {
        validate(body);
        return requests.open(body).map(opened -> RestResponse.status(
                opened.created() ? RestResponse.Status.CREATED : RestResponse.Status.OK,
                ApprovalView.of(opened.state())));
    }

    /**
     * One request of any organisation, for governance to verify the approval a resumed call claims
     * (docs/governance.md): 404 when there is none.
     */
    @GET
    @Path("/approval-requests/{id}")
    @APIResponse(responseCode = "200", description = "The request",
            content = @Content(schema = @Schema(implementation = ApprovalView.class)))
    @APIResponse(responseCode = "404", description = "No such request")
    public Uni<ApprovalView> get(@PathParam("id") String id) {
        ApprovalResource.requireId(id);
        return requests.find(id).map(state -> {
            if (state == null) {
                throw ApprovalProblems.notFound(id);
            }
            return ApprovalView.of(state);
        });
    }

    private static void validate(OpenRequest body) {
        if (!PrefixedId.isValid(PrefixedId.INVOCATION, body.invocationId())) {
            throw invalid("invocation_id", "invocation_id must be an invocation id");
        }
        if (!PrefixedId.isValid(PrefixedId.AGENT, body.agentId())) {
            throw invalid("agent_id", "agent_id must be an external agent id");
        }
        bounded("organization_id", body.organizationId(), true);
        bounded("requested_by", body.requestedBy(), true);
        bounded("requested_by_owner", body.requestedByOwner(), false);
        bounded("requested_by_team", body.requestedByTeam(), false);
        bounded("external_user_id", body.externalUserId(), false);
        if (body.triggerReason() == null || body.triggerReason().isBlank()
                || TextLength.of(body.triggerReason()) > MAX_REASON) {
            throw invalid("trigger_reason", "trigger_reason is required, at most " + MAX_REASON + " characters");
        }
        List<String> roles = body.requestedByRoles();
        if (roles != null && (roles.size() > MAX_ROLES
                || roles.stream().anyMatch(r -> r == null || r.isBlank() || TextLength.of(r) > MAX_ID))) {
            throw invalid("requested_by_roles", "requested_by_roles must be at most " + MAX_ROLES
                    + " non-blank role names of at most " + MAX_ID + " characters");
        }
        BigDecimal cost = body.estimatedCost();
        if (cost != null && (cost.signum() < 0 || cost.precision() - cost.scale() > 12)) {
            throw invalid("estimated_cost", "estimated_cost must be a non-negative amount in USD");
        }
    }

    private static void bounded(String field, String value, boolean required) {
        if (required && (value == null || value.isBlank()) || value != null && TextLength.of(value) > MAX_ID) {
            throw invalid(field, field + (required ? " is required and" : "") + " must be at most " + MAX_ID
                    + " characters");
        }
    }

    private static ProblemException invalid(String field, String detail) {
        return ProblemException.validation(detail).with("field", field);
    }
}
