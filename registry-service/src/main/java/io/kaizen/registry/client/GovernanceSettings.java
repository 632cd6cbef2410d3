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
 * Governance as registry needs it: writing an agent's governance fields must succeed or the agent change is not
 * stored; reading usage for lists and details is best effort.
 */
@ApplicationScoped
public class AgentGovernance {

    private static final Logger LOG = Logger.getLogger(AgentGovernance.class);

    private final GovernanceClient governance;

    AgentGovernance(@RestClient GovernanceClient governance) {
        this.governance = governance;
    }

    public Uni<AgentGovernanceSettings> write(String agentId, AgentGovernanceSettings settings) {
        return governance.put(agentId, settings).onFailure().transform(e -> {
            if (e instanceof WebApplicationException w && w.getResponse().getStatus() == 400) {
                return ProblemException.validation("Governance settings were refused by governance-service");
            }
            LOG.warnf("governance did not take the settings of agent %s: %s", agentId, e.toString());
            return new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE,
                    "Governance is unavailable; the agent was not changed").header("Retry-After", "5");
        });
    }

    /**
     * The current settings of one agent, for a partial change; null when governance has none. Fails when
     * governance cannot answer, since writing a merge of unknown settings would reset the other fields.
     */
    public Uni<AgentGovernanceSettings> currentSettings(String agentId) {
        return governance.usage(new GovernanceClient.UsageQuery(List.of(agentId)))
                .map(list -> list.items() == null ? null : list.items().stream()
                        .filter(u -> agentId.equals(u.agentId())).map(AgentUsage::settings).findFirst().orElse(null))
                .onFailure().transform(e -> {
                    LOG.warnf("governance did not report the settings of agent %s: %s", agentId, e.toString());
                    return new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE,
                            "Governance is unavailable; the agent was not changed").header("Retry-After", "5");
                });
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
}
