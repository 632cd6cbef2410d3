package io.kaizen.governance.service;

import java.time.Instant;

import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.governance.domain.AgentGovernance;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Stores the governance fields registry writes for each agent; writing the same settings twice is harmless. */
@ApplicationScoped
public class GovernanceSettingsService {

    @WithTransaction
    public Uni<AgentGovernanceSettings> put(String agentId, AgentGovernanceSettings settings) {
        return AgentGovernance.<AgentGovernance>findById(agentId)
                .onItem().ifNull().continueWith(() -> {
                    AgentGovernance created = new AgentGovernance();
                    created.agentId = agentId;
                    return created;
                })
                .chain(row -> {
                    row.organizationId = settings.organizationId();
                    row.requestsPerMinute = settings.requestsPerMinute();
                    row.requestsPerHour = settings.requestsPerHour();
                    row.requestsPerDay = settings.requestsPerDay();
                    row.costPerExecution = settings.costPerExecution();
                    row.updatedAt = Instant.now();
                    return row.<AgentGovernance>persist();
                })
                .map(GovernanceSettingsService::view);
    }

    @WithSession
    public Uni<AgentGovernance> find(String agentId) {
        return AgentGovernance.findById(agentId);
    }

    static AgentGovernanceSettings view(AgentGovernance row) {
        return new AgentGovernanceSettings(row.organizationId, null, null, row.costPerExecution, null,
                row.requestsPerMinute, row.requestsPerHour, row.requestsPerDay);
    }
}
