package io.kaizen.registry.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.ExternalAgent;
import io.kaizen.registry.repository.AgentRepository;
import io.kaizen.registry.rest.AgentResponse;
import io.kaizen.registry.rest.CreateAgentRequest;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AgentService {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final AgentRepository agents;
    private final Outbox outbox;
    private final ObjectMapper mapper;

    AgentService(AgentRepository agents, Outbox outbox, ObjectMapper mapper) {
        this.agents = agents;
        this.outbox = outbox;
        this.mapper = mapper;
    }

    @WithTransaction
    public Uni<AgentResponse> register(CreateAgentRequest request, KaizenPrincipal caller) {
        EndpointUrls.requireValid("endpoint_url", request.endpointUrl());
        return agents.nameTaken(caller.organizationId(), request.name()).chain(taken -> {
            if (taken) {
                throw duplicateName(request.name());
            }
            ExternalAgent agent = new ExternalAgent();
            agent.id = PrefixedId.next(PrefixedId.AGENT);
            agent.organizationId = caller.organizationId();
            agent.name = request.name();
            agent.description = request.description();
            agent.platform = request.platform().wire();
            agent.endpointUrl = request.endpointUrl();
            agent.platformConfig = json(request.platformConfig() == null ? Map.of() : request.platformConfig());
            agent.authType = "none";
            agent.tags = json(request.tags() == null ? List.of() : request.tags());
            agent.environment = (request.environment() == null ? Environment.PRODUCTION : request.environment()).wire();
            agent.timeoutSeconds = request.timeoutSeconds() == null ? 30 : request.timeoutSeconds();
            agent.status = ExternalAgent.ACTIVE;
            agent.createdBy = caller.subject();
            agent.createdAt = Instant.now();
            return agents.persist(agent)
                    .call(agents::flush)
                    .call(saved -> outbox.add(Topics.AGENTS, EventTypes.AGENT_REGISTERED, saved.id,
                            saved.organizationId, event(saved, caller.subject())))
                    .map(this::view);
        }).onFailure(AgentService::isUniqueViolation).transform(e -> duplicateName(request.name()));
    }

    @WithSession
    public Uni<AgentResponse> get(String id, KaizenPrincipal caller) {
        return agents.findInOrganization(id, caller.organizationId())
                .onItem().ifNull().failWith(() -> notFound(id))
                .map(this::view);
    }

    /** The agent with everything the gateway needs to call it. */
    @WithSession
    public Uni<AgentDefinition> definition(String id) {
        return agents.findById(id)
                .onItem().ifNull().failWith(() -> notFound(id))
                .map(agent -> new AgentDefinition(agent.id, agent.organizationId, agent.name, agent.platform,
                        agent.endpointUrl, read(agent.platformConfig, OBJECT), agent.authType, Map.of(),
                        read(agent.tags, STRINGS), agent.environment, agent.timeoutSeconds, agent.status,
                        agent.createdAt));
    }

    private AgentResponse view(ExternalAgent agent) {
        return new AgentResponse(agent.id, agent.organizationId, agent.name, agent.description, agent.platform,
                agent.endpointUrl, read(agent.platformConfig, OBJECT),
                new AgentResponse.AuthConfigView(agent.authType, "***"), read(agent.tags, STRINGS),
                agent.environment, agent.timeoutSeconds, agent.status, agent.createdBy, agent.createdAt,
                agent.updatedAt);
    }

    private static AgentEvent event(ExternalAgent agent, String actor) {
        return new AgentEvent(agent.id, agent.organizationId, agent.name, agent.platform, agent.status,
                agent.environment, List.of(), actor, Instant.now());
    }

    private static ProblemException notFound(String id) {
        return ProblemException.notFound("External agent " + id + " does not exist or you don't have access");
    }

    private static ProblemException duplicateName(String name) {
        return ProblemException.conflict("An external agent named '" + name + "' already exists in this organization");
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException
                    || (t.getMessage() != null && t.getMessage().contains("external_agent_org_name"))) {
                return true;
            }
        }
        return false;
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw ProblemException.validation("Value cannot be stored as JSON");
        }
    }

    private <T> T read(String json, TypeReference<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON of an agent is unreadable", e);
        }
    }
}
