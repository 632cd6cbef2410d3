package io.kaizen.governance.rest;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.server.Cancellable;

import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.budget.BudgetSettlement;
import io.kaizen.governance.budget.Charge;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.rest.GovernanceRequests.Settlement;
import io.kaizen.governance.rest.GovernanceRequests.UsageQuery;
import io.kaizen.governance.rest.GovernanceViews.ReservationView;
import io.kaizen.governance.rest.GovernanceViews.UsageItems;
import io.kaizen.governance.service.AgentGovernanceService;
import io.kaizen.governance.service.DecisionService;
import io.kaizen.governance.service.GovernanceStatusService;
import io.kaizen.governance.service.GovernanceValidation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Service-to-service API of governance; guarded by the service token, never routed publicly. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@PermitAll
public class InternalGovernanceResource {

    private static final int MAX_USAGE_IDS = 1000;

    private final DecisionService decisions;
    private final AgentGovernanceService agents;
    private final GovernanceStatusService status;
    private final BudgetSettlement budgets;

    InternalGovernanceResource(DecisionService decisions, AgentGovernanceService agents,
            GovernanceStatusService status, BudgetSettlement budgets) {
        this.decisions = decisions;
        this.agents = agents;
        this.status = status;
        this.budgets = budgets;
    }

    @POST
    @Path("/decisions")
    @APIResponse(responseCode = "200", description = "The decision",
            content = @Content(schema = @Schema(implementation = Decision.class)))
    @APIResponse(responseCode = "404", description = "The agent is not governed here")
    // a decision whose caller hangs up is still carried to its end: its hold settled as decided, its event journaled
    @Cancellable(false)
    public Uni<Decision> decide(@NotNull(message = "request body is required") DecisionRequest request) {
        return decisions.decide(request);
    }

    /** A new agent's settings from registry: every field as given, null = the default. */
    @PUT
    @Path("/agents/{id}/governance")
    @APIResponse(responseCode = "200", description = "The settings as stored",
            content = @Content(schema = @Schema(implementation = AgentGovernanceSettings.class)))
    @APIResponse(responseCode = "409", description = "The agent belongs to another organisation")
    public Uni<AgentGovernanceSettings> put(@PathParam("id") String agentId,
            @NotNull(message = "request body is required") AgentGovernanceSettings body) {
        return agents.put(agentId, body);
    }

    /** An agent change forwarded by registry: only the given (non-null) fields change. */
    @PATCH
    @Path("/agents/{id}/governance")
    @APIResponse(responseCode = "200", description = "The settings as stored",
            content = @Content(schema = @Schema(implementation = AgentGovernanceSettings.class)))
    @APIResponse(responseCode = "409", description = "The agent belongs to another organisation")
    public Uni<AgentGovernanceSettings> change(@PathParam("id") String agentId,
            @NotNull(message = "request body is required") AgentGovernanceSettings body) {
        return agents.change(agentId, body);
    }

    /** Usage of a page of agents in one round: registry calls it once per list page. */
    @POST
    @Path("/agents/usage")
    public Uni<UsageItems> usage(@NotNull(message = "request body is required") UsageQuery query) {
        if (query.agentIds() == null || query.agentIds().size() > MAX_USAGE_IDS
                || query.agentIds().stream().anyMatch(id -> id == null || id.isBlank())) {
            throw ProblemException.validation("agent_ids must be a list of at most " + MAX_USAGE_IDS + " agent ids")
                    .with("field", "agent_ids");
        }
        return status.usage(query.agentIds().stream().distinct().toList()).map(UsageItems::new);
    }

    @POST
    @Path("/reservations/{id}/settle")
    @APIResponse(responseCode = "200", description = "The reservation, settled",
            content = @Content(schema = @Schema(implementation = ReservationView.class)))
    @APIResponse(responseCode = "409", description = "The reservation already ended otherwise")
    public Uni<ReservationView> settle(@PathParam("id") String reservationId,
            @NotNull(message = "request body is required") Settlement settlement) {
        if (settlement.costUsd() == null) {
            throw ProblemException.validation("cost_usd is required").with("field", "cost_usd");
        }
        GovernanceValidation.usd("cost_usd", settlement.costUsd(), false);
        return budgets.settle(reservationId, null, Charge.reported(settlement.costUsd())).map(row -> answer(reservationId, row,
                BudgetReservation.SETTLED, settlement.costUsd()));
    }

    @POST
    @Path("/reservations/{id}/release")
    @Consumes(MediaType.WILDCARD) // no body: whatever a caller says it sends is not read
    @APIResponse(responseCode = "200", description = "The reservation, released",
            content = @Content(schema = @Schema(implementation = ReservationView.class)))
    @APIResponse(responseCode = "409", description = "The reservation already ended otherwise")
    public Uni<ReservationView> release(@PathParam("id") String reservationId) {
        return budgets.release(reservationId, null).map(row -> answer(reservationId, row, BudgetReservation.RELEASED,
                null));
    }

    /** The reservation after the request; asking again for the same end is answered as before, another end is 409. */
    private static ReservationView answer(String reservationId, BudgetReservation row, String wanted,
            java.math.BigDecimal cost) {
        if (row == null) {
            throw ProblemException.notFound("Reservation " + reservationId + " does not exist");
        }
        boolean same = row.status.equals(wanted) && (cost == null || row.actualUsd.compareTo(cost) == 0);
        if (!same) {
            throw ProblemException.conflict("Reservation " + reservationId + " is already " + row.status)
                    .with("status", row.status);
        }
        return new ReservationView(row.id, row.agentId, row.organizationId, row.status, row.estimateUsd,
                row.actualUsd, row.reservedAt, row.settledAt);
    }
}
