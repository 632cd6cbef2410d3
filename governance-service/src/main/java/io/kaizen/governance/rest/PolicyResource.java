package io.kaizen.governance.rest;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.governance.budget.BudgetAlertConfig;
import io.kaizen.governance.rest.GovernanceRequests.OrganizationSettings;
import io.kaizen.governance.rest.GovernanceViews.BudgetAlertsView;
import io.kaizen.governance.rest.GovernanceViews.OrganizationSettingsView;
import io.kaizen.governance.rest.PolicyMessages.PolicyPage;
import io.kaizen.governance.rest.PolicyMessages.PolicyRequest;
import io.kaizen.governance.rest.PolicyMessages.PolicyView;
import io.kaizen.governance.rest.PolicyMessages.SimulationRequest;
import io.kaizen.governance.rest.PolicyMessages.SimulationView;
import io.kaizen.governance.service.BudgetAlertService;
import io.kaizen.governance.service.OrganizationSettingsService;
import io.kaizen.governance.service.PolicyService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * ABAC policies of the caller's organisation, their simulation, and the organisation's governance settings
 * (combining strategy, default effect, organisation-wide budget, approval-trigger defaults, budget alerts).
 */
@Path("/api/v1/policies")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    private final PolicyService policies;
    private final OrganizationSettingsService settings;
    private final BudgetAlertService alerts;
    private final CurrentPrincipal caller;

    PolicyResource(PolicyService policies, OrganizationSettingsService settings, BudgetAlertService alerts,
            CurrentPrincipal caller) {
        this.policies = policies;
        this.settings = settings;
        this.alerts = alerts;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(schema = @Schema(implementation = PolicyView.class)))
    @APIResponse(responseCode = "409", description = "A policy with this name exists")
    public Uni<RestResponse<PolicyView>> create(@RequestBody(required = true, content = @Content(schema = @Schema(
            implementation = PolicyRequest.class, requiredProperties = {"name", "effect"}))) PolicyRequest body) {
        KaizenPrincipal principal = caller.get();
        return policies.create(principal.organizationId(), principal.subject(), body)
                .map(view -> RestResponse.ResponseBuilder.<PolicyView>created(
                        java.net.URI.create("/api/v1/policies/" + view.id())).entity(view).build());
    }

    @GET
    @PermissionsAllowed(Permissions.POLICIES_READ)
    public Uni<PolicyPage> list(@QueryParam("page") String page, @QueryParam("limit") String limit) {
        return policies.list(caller.organizationId(), Paging.parse(page, limit, 20, 100));
    }

    @GET
    @Path("/settings")
    @PermissionsAllowed(Permissions.POLICIES_READ)
    public Uni<OrganizationSettingsView> settings() {
        return settings.get(caller.organizationId());
    }

    @PATCH
    @Path("/settings")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    public Uni<OrganizationSettingsView> patchSettings(OrganizationSettings body) {
        KaizenPrincipal principal = caller.get();
        return settings.patch(principal.organizationId(), body, principal.subject());
    }

    /** The organisation's budget alert configuration: its budget's, and the default of its agents. */
    @GET
    @Path("/settings/budget-alerts")
    @PermissionsAllowed(Permissions.POLICIES_READ)
    public Uni<BudgetAlertsView> budgetAlerts() {
        return alerts.get(caller.organizationId(), null).map(BudgetAlertsView::of);
    }

    @PUT
    @Path("/settings/budget-alerts")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    public Uni<BudgetAlertsView> putBudgetAlerts(BudgetAlertConfig body) {
        KaizenPrincipal principal = caller.get();
        return alerts.put(principal.organizationId(), null, body, principal.subject()).map(BudgetAlertsView::of);
    }

    @DELETE
    @Path("/settings/budget-alerts")
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    public Uni<BudgetAlertsView> deleteBudgetAlerts() {
        KaizenPrincipal principal = caller.get();
        return alerts.delete(principal.organizationId(), null, principal.subject()).map(BudgetAlertsView::of);
    }

    @POST
    @Path("/simulate")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.POLICIES_READ)
    @APIResponse(responseCode = "200", description = "How the policies decide",
            content = @Content(schema = @Schema(implementation = SimulationView.class)))
    @APIResponse(responseCode = "404", description = "agent_id names no agent of the organisation")
    public Uni<SimulationView> simulate(SimulationRequest body) {
        return policies.simulate(caller.organizationId(), body);
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permissions.POLICIES_READ)
    public Uni<PolicyView> get(@PathParam("id") String id) {
        return policies.get(caller.organizationId(), policyId(id));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    @APIResponse(responseCode = "200", description = "The policy after the change",
            content = @Content(schema = @Schema(implementation = PolicyView.class)))
    @APIResponse(responseCode = "409", description = "A policy with the new name exists")
    public Uni<PolicyView> update(@PathParam("id") String id, PolicyRequest body) {
        KaizenPrincipal principal = caller.get();
        return policies.update(principal.organizationId(), policyId(id), principal.subject(), body);
    }

    @DELETE
    @Path("/{id}")
    @PermissionsAllowed(Permissions.POLICIES_WRITE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        KaizenPrincipal principal = caller.get();
        return policies.delete(principal.organizationId(), policyId(id), principal.subject())
                .map(ignored -> RestResponse.noContent());
    }

    private static String policyId(String id) {
        if (!PrefixedId.isValid(PrefixedId.POLICY, id)) {
            throw ProblemException.notFound("Policy " + id + " does not exist or you don't have access");
        }
        return id;
    }
}
