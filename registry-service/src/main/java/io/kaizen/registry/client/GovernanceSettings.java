package io.kaizen.registry.client;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.governance.AgentUsage;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

/**
 * Governance as registry needs it: governance-service is the one holder of an agent's governance settings, and
 * registry forwards the fields given to its agent API. Forwarding must succeed or the agent change is not stored;
 * reading settings and usage for lists and details is best effort. Answers show unlimited as null.
 */
@ApplicationScoped
public class GovernanceSettings {

    private static final Logger LOG = Logger.getLogger(GovernanceSettings.class);

    private final GovernanceClient governance;

    GovernanceSettings(@RestClient GovernanceClient governance) {
        this.governance = governance;
    }

    /** A new agent's settings: every field as given, null = the configured default. */
    public Uni<AgentGovernanceSettings> write(String agentId, AgentGovernanceSettings settings) {
        return governance.put(agentId, settings).onFailure().transform(e -> refused(agentId, e));
    }

    /** A change of an agent: only the given (non-null) fields change, the others stay as governance holds them. */
    public Uni<AgentGovernanceSettings> change(String agentId, AgentGovernanceSettings settings) {
        return governance.change(agentId, settings).onFailure().transform(e -> refused(agentId, e));
    }

    /** Usage by agent id; empty when governance cannot answer (lists still work without the usage columns). */
    public Uni<Map<String, AgentUsage>> usage(List<String> agentIds) {
        if (agentIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return governance.usage(new GovernanceClient.UsageQuery(agentIds))
                .map(list -> list.items() == null ? Map.<String, AgentUsage>of() : list.items().stream().collect(Collectors.toMap(AgentUsage::agentId, Function.identity(),
                        (a, b) -> a)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("governance usage unavailable: %s", e.toString());
                    return Map.of();
                });
    }

    private static ProblemException refused(String agentId, Throwable e) {
        if (e instanceof WebApplicationException w && w.getResponse().getStatus() == 400) {
            return ProblemException.validation("Governance settings were refused by governance-service");
        }
        LOG.warnf("governance did not take the settings of agent %s: %s", agentId, e.toString());
        return new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE,
                "Governance is unavailable; the agent was not changed").header("Retry-After", "5");
    }
}
