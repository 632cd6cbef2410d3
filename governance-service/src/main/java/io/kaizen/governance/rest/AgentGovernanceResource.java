package io.kaizen.governance.rest;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.governance.budget.BudgetAlertConfig;
import io.kaizen.governance.rest.GovernanceRequests.BudgetConfig;
import io.kaizen.governance.rest.GovernanceRequests.GovernancePatch;
import io.kaizen.governance.rest.GovernanceViews.AgentGovernanceView;
import io.kaizen.governance.rest.GovernanceViews.BudgetAlertsView;
import io.kaizen.governance.rest.GovernanceViews.BudgetConfigUpdated;
import io.kaizen.governance.rest.GovernanceViews.BudgetStatus;
import io.kaizen.governance.rest.GovernanceViews.GovernanceStatus;
import io.kaizen.governance.service.AgentGovernanceService;
import io.kaizen.governance.service.BudgetAlertService;
import io.kaizen.governance.service.GovernanceStatusService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** An agent's budget, budget alerts, governance configuration and governance status; scoped to the caller's organisation. */
@Path("/api/v1/external-agents/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class AgentGovernanceResource {

    private final AgentGovernanceService agents;
    private final GovernanceStatusService status;
    private final BudgetAlertService alerts;
    private final CurrentPrincipal caller;

    AgentGovernanceResource(AgentGovernanceService agents, GovernanceStatusService status, BudgetAlertService alerts,
            CurrentPrincipal caller) {
        this.agents = agents;
        this.status = status;
        this.alerts = alerts;
        this.caller = caller;
    }

    @GET
    @Path("/budget")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<BudgetStatus> budget(@PathParam("id") String id) {
        return status.budget(AgentIds.require(id), caller.organizationId());
    }

    @PATCH
    @Path("/budget/config")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    public Uni<BudgetConfigUpdated> budgetConfig(@PathParam("id") String id, BudgetConfig body) {
        KaizenPrincipal principal = caller.get();
        return agents.patchBudget(AgentIds.require(id), principal.organizationId(), body, principal.subject())
                .chain(status::budgetConfigUpdated);
    }

    @GET
    @Path("/budget/alerts")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<BudgetAlertsView> budgetAlerts(@PathParam("id") String id) {
        return alerts.get(caller.organizationId(), AgentIds.require(id)).map(BudgetAlertsView::of);
    }

    @PUT
    @Path("/budget/alerts")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    public Uni<BudgetAlertsView> putBudgetAlerts(@PathParam("id") String id, BudgetAlertConfig body) {
        KaizenPrincipal principal = caller.get();
        return alerts.put(principal.organizationId(), AgentIds.require(id), body, principal.subject())
                .map(BudgetAlertsView::of);
    }

    /** The agent's own configuration is removed: its organisation's (or the defaults) apply again. */
    @DELETE
    @Path("/budget/alerts")
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    public Uni<BudgetAlertsView> deleteBudgetAlerts(@PathParam("id") String id) {
        KaizenPrincipal principal = caller.get();
        return alerts.delete(principal.organizationId(), AgentIds.require(id), principal.subject())
                .map(BudgetAlertsView::of);
    }

    @GET
    @Path("/governance-status")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<GovernanceStatus> governanceStatus(@PathParam("id") String id) {
        return status.status(AgentIds.require(id), caller.organizationId());
    }

    @GET
    @Path("/governance")
    @PermissionsAllowed(Permissions.AGENTS_READ)
    public Uni<AgentGovernanceView> governance(@PathParam("id") String id) {
        return agents.view(AgentIds.require(id), caller.organizationId());
    }

    @PATCH
    @Path("/governance")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.AGENTS_UPDATE)
    public Uni<AgentGovernanceView> patchGovernance(@PathParam("id") String id, GovernancePatch body) {
        KaizenPrincipal principal = caller.get();
        return agents.patch(AgentIds.require(id), principal.organizationId(), body, principal.subject());
    }
}
