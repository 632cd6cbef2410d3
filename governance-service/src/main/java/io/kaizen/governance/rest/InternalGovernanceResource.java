package io.kaizen.governance.rest;

import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.service.DecisionService;
import io.kaizen.governance.service.GovernanceSettingsService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
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

    private final DecisionService decisions;
    private final GovernanceSettingsService settings;

    InternalGovernanceResource(DecisionService decisions, GovernanceSettingsService settings) {
        this.decisions = decisions;
        this.settings = settings;
    }

    @POST
    @Path("/decisions")
    public Uni<Decision> decide(@NotNull DecisionRequest request) {
        return decisions.decide(request);
    }

    @PUT
    @Path("/agents/{id}/governance")
    public Uni<AgentGovernanceSettings> put(@PathParam("id") String agentId, @NotNull AgentGovernanceSettings body) {
        if (body.organizationId() == null || body.organizationId().isBlank()) {
            throw ProblemException.validation("organization_id is required");
        }
        requireNonNegative("requests_per_minute", body.requestsPerMinute());
        requireNonNegative("requests_per_hour", body.requestsPerHour());
        requireNonNegative("requests_per_day", body.requestsPerDay());
        if (body.costPerExecution() != null && body.costPerExecution().signum() < 0) {
            throw ProblemException.validation("cost_per_execution must not be negative");
        }
        return settings.put(agentId, body);
    }

    private static void requireNonNegative(String field, Integer value) {
        if (value != null && value < 0) {
            throw ProblemException.validation(field + " must not be negative");
        }
    }
}
