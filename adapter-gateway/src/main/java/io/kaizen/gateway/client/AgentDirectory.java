package io.kaizen.gateway.client;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

/** Agents as the invoke path sees them: absent and foreign agents are 404, inactive ones 409. */
@ApplicationScoped
public class AgentDirectory {

    private static final Logger LOG = Logger.getLogger(AgentDirectory.class);

    private final RegistryClient registry;

    AgentDirectory(@RestClient RegistryClient registry) {
        this.registry = registry;
    }

    public Uni<AgentDefinition> invocable(String agentId, String organizationId) {
        return registry.agent(agentId)
                .onFailure().transform(e -> {
                    if (isNotFound(e)) {
                        return AgentIds.notFound(agentId);
                    }
                    LOG.warnf("registry did not return agent %s: %s", agentId, e.toString());
                    return new ProblemException(503, ErrorCode.INTERNAL_ERROR, "Agent registry unavailable");
                })
                .map(agent -> {
                    if (!agent.organizationId().equals(organizationId)) {
                        throw AgentIds.notFound(agentId);
                    }
                    if (!"active".equals(agent.status())) {
                        throw ProblemException.conflict("External agent " + agentId + " is " + agent.status());
                    }
                    return agent;
                });
    }

    private static boolean isNotFound(Throwable e) {
        return e instanceof WebApplicationException w && w.getResponse().getStatus() == 404;
    }

}
