package io.kaizen.governance.messaging;

import java.util.Set;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.governance.service.AgentGovernanceService;
import io.kaizen.governance.service.GovernanceMetrics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Learns of agents from registry's events: their organisation, platform, tags, environment and registration time
 * (policy targets, the new-agent trigger) and their deletion. An event older than the one last applied to the
 * agent is ignored.
 */
@ApplicationScoped
public class AgentEventsConsumer extends EventConsumer {

    static final String CONSUMER = "governance.agents";
    /** The topic's other types (credentials rotated or read, API keys) change nothing governance knows. */
    private static final Set<String> APPLIED = Set.of(EventTypes.AGENT_REGISTERED, EventTypes.AGENT_UPDATED,
            EventTypes.AGENT_DELETED);

    private final AgentGovernanceService agents;
    private final GovernanceMetrics metrics;

    AgentEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            AgentGovernanceService agents, GovernanceMetrics metrics) {
        super(CONSUMER, mapper, processed, failures, spans);
        this.agents = agents;
        this.metrics = metrics;
    }

    @Incoming("agents")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected boolean handles(String type) {
        return APPLIED.contains(type);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        AgentEvent data = read(event, AgentEvent.class);
        if (data.agentId() == null || data.organizationId() == null) {
            throw new PoisonEventException("agent event " + event.id() + " lacks its ids");
        }
        if (EventTypes.AGENT_DELETED.equals(event.type())) {
            // a deleted agent's metric series go at once on this replica; the others drop them when idle
            metrics.forget(data.agentId());
        }
        return once(event, ignored -> agents.onAgentEvent(event.type(), data));
    }
}
