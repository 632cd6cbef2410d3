package io.kaizen.registry.repository;

import io.kaizen.registry.domain.ExternalAgent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AgentRepository implements PanacheRepositoryBase<ExternalAgent, String> {

    /** The agent if it belongs to the organisation; another organisation's agent is indistinguishable from none. */
    public Uni<ExternalAgent> findInOrganization(String id, String organizationId) {
        return find("id = ?1 and organizationId = ?2", id, organizationId).firstResult();
    }

    public Uni<Boolean> nameTaken(String organizationId, String name) {
        return count("organizationId = ?1 and lower(name) = lower(?2) and status <> ?3", organizationId, name,
                ExternalAgent.DELETED).map(n -> n > 0);
    }
}
