package io.kaizen.registry.repository;

import io.kaizen.registry.domain.ExternalAgent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AgentRepository implements PanacheRepositoryBase<ExternalAgent, String> {

    /**
     * The agent if it belongs to the organisation; another organisation's agent is indistinguishable from none. Found
     * by its key alone, the organisation checked here (docs/developer-guide.md, "An organisation's row by its id").
     */
    public Uni<ExternalAgent> findInOrganization(String id, String organizationId) {
        return findById(id).map(agent -> agent != null && agent.organizationId.equals(organizationId) ? agent : null);
    }

    public Uni<Boolean> nameTaken(String organizationId, String name) {
        return count("organizationId = ?1 and lower(name) = lower(?2) and status <> ?3", organizationId, name,
                ExternalAgent.DELETED).map(n -> n > 0);
    }
}
