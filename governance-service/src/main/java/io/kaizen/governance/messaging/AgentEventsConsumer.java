package io.kaizen.governance.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.governance.service.AgentGovernanceService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Learns of agents from registry's events: their organisation, platform, tags, environment and registration time
 * (policy targets, the new-agent trigger) and their deletion.
 */
@ApplicationScoped
public class AgentEventsConsumer {

    private final ProcessedEvents processed;
    private final AgentGovernanceService agents;
    private final ObjectMapper mapper;

    AgentEventsConsumer(ProcessedEvents processed, AgentGovernanceService agents, ObjectMapper mapper) {
        this.processed = processed;
        this.agents = agents;
        this.mapper = mapper;
    }

    @Incoming("agents")
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        CloudEvent event = CloudEvent.from(record);
        if (!event.type().equals(EventTypes.AGENT_REGISTERED) && !event.type().equals(EventTypes.AGENT_UPDATED)
                && !event.type().equals(EventTypes.AGENT_DELETED)) {
            return Uni.createFrom().voidItem();
        }
        AgentEvent data = read(event);
        return processed.once("governance.agents", event, ignored -> agents.onAgentEvent(event.type(), data));
    }

    private AgentEvent read(CloudEvent event) {
        try {
            AgentEvent data = mapper.readValue(event.data(), AgentEvent.class);
            if (data.agentId() == null || data.organizationId() == null) {
                throw new PoisonEventException("agent event " + event.id() + " lacks its ids");
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("agent event " + event.id() + " is not readable: " + e.getOriginalMessage());
        }
    }
}
