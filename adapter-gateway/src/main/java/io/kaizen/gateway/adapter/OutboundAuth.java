package io.kaizen.gateway.adapter;

import io.kaizen.common.agents.AgentDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Puts an agent's outbound credentials on a request ({@code auth_type} of registry). Credentials exist only in memory
 * here, decrypted by registry, and are never logged.
 */
@ApplicationScoped
public class OutboundAuth {

    /** The request as the agent's platform must receive it, with its credentials. */
    public Uni<OutboundRequest> apply(AgentDefinition agent, OutboundRequest request) {
        return Uni.createFrom().item(request);
    }

    /**
     * Whether a 401 answer to a request sent with {@link #apply} is worth one retry with fresh credentials (an OAuth
     * token revoked before it expired); if so the cached credentials are dropped.
     */
    public boolean refreshAfterUnauthorized(AgentDefinition agent) {
        return false;
    }
}
