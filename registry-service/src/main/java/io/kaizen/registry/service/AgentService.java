package io.kaizen.registry.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.governance.AgentUsage;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.registry.client.GovernanceSettings;
import io.kaizen.registry.domain.AuthType;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.ExternalAgent;
import io.kaizen.registry.domain.Platform;
import io.kaizen.registry.repository.AgentRepository;
import io.kaizen.registry.rest.AgentPage;
import io.kaizen.registry.rest.AgentResponse;
import io.kaizen.registry.rest.AuthConfigRequest;
import io.kaizen.registry.rest.CreateAgentRequest;
import io.kaizen.registry.rest.GovernanceFields;
import io.kaizen.registry.rest.NotifyChannelRequest;
import io.kaizen.registry.rest.PatchAgentRequest;
import io.kaizen.registry.service.CredentialStore.Secrets;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Agents: registration, change, soft deletion and the definition the gateway calls them with. Every change is
 * stored together with its event, and governance fields reach governance-service before the change commits.
 */
@ApplicationScoped
public class AgentService {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<List<AgentDefinition.Notify>> NOTIFY = new TypeReference<>() {
    };

    private final AgentRepository agents;
    private final Outbox outbox;
    private final ObjectMapper mapper;
    private final CredentialStore store;
    private final GovernanceSettings governance;
    private final AgentConfigRules rules;

    AgentService(AgentRepository agents, Outbox outbox, ObjectMapper mapper, CredentialStore store,
            GovernanceSettings governance, EgressGuard egress) {
        this.agents = agents;
        this.outbox = outbox;
        this.mapper = mapper;
        this.store = store;
        this.governance = governance;
        this.rules = new AgentConfigRules(egress);
    }

    @WithTransaction
    public Uni<AgentResponse> register(CreateAgentRequest request, KaizenPrincipal caller) {
        request.requireValidLimits();
        AuthConfigRequest auth = request.authConfig();
        AgentConfig config = rules.validate(request.platform(), request.endpointUrl(), request.platformConfig(),
                auth == null || auth.authType() == null ? AuthType.NONE : auth.authType(),
                auth == null ? null : auth.credentials(), Map.of());
        ExternalAgent agent = new ExternalAgent();
        agent.id = PrefixedId.next(PrefixedId.AGENT);
        agent.organizationId = caller.organizationId();
        agent.name = request.name().strip();
        agent.description = request.description();
        agent.platform = request.platform().wire();
        agent.tags = json(request.tags() == null ? List.of() : request.tags());
        agent.notify = notifyJson(rules.notify(notify(request.notifyChannels())));
        agent.environment = (request.environment() == null ? Environment.PRODUCTION : request.environment()).wire();
        agent.timeoutSeconds = request.timeoutSeconds() == null ? 30 : request.timeoutSeconds();
        agent.status = ExternalAgent.ACTIVE;
        agent.createdBy = caller.subject();
        agent.createdAt = Instant.now();
        return applyConfig(agent, config)
                .chain(() -> agents.nameTaken(caller.organizationId(), agent.name))
                .chain(taken -> {
                    if (taken) {
                        throw duplicateName(agent.name);
                    }
                    return agents.persist(agent).call(agents::flush);
                })
                .chain(saved -> governance.write(saved.id, settings(saved.organizationId, request)))
                .call(settings -> outbox.add(Topics.AGENTS, EventTypes.AGENT_REGISTERED, agent.id,
                        agent.organizationId, event(agent, caller.subject(), List.of())))
                .map(settings -> view(agent, settings, null, false))
                .onFailure(AgentService::isUniqueViolation).transform(e -> duplicateName(agent.name));
    }

    @WithSession
    public Uni<AgentResponse> get(String id, KaizenPrincipal caller) {
        return find(id, caller)
                .chain(agent -> governance.usage(List.of(agent.id))
                        .map(usage -> {
                            AgentUsage u = usage.get(agent.id);
                            return view(agent, u == null ? null : u.settings(), u, true);
                        }));
    }

    @WithSession
    public Uni<AgentPage> list(AgentQuery query) {
        var found = agents.find(query.where(), query.order(), query.parameters());
        return found.page(Page.of(query.paging().page() - 1, query.paging().limit())).list()
                .chain(page -> found.count().chain(total -> governance.usage(page.stream().map(a -> a.id).toList())
                        .map(usage -> new AgentPage(page.stream().map(agent -> {
                            AgentUsage u = usage.get(agent.id);
                            return view(agent, u == null ? null : u.settings(), u, false);
                        }).toList(), total, query.paging().page(), query.paging().limit(),
                                query.paging().hasMore(total)))));
    }

    @WithTransaction
    public Uni<AgentResponse> patch(String id, PatchAgentRequest patch, KaizenPrincipal caller) {
        if ("deleted".equals(patch.status())) {
            return delete(id, caller).chain(() -> find(id, caller)).map(agent -> view(agent, null, null, false));
        }
        patch.requireValidLimits();
        return find(id, caller).chain(agent -> {
            if (ExternalAgent.DELETED.equals(agent.status)) {
                throw ProblemException.conflict("External agent " + id + " is deleted");
            }
            if (patch.platform() != null && !patch.platform().wire().equals(agent.platform)) {
                throw ProblemException.validation("Field 'platform' cannot be changed; register a new agent instead");
            }
            List<String> changed = new ArrayList<>();
            Uni<Void> steps = Uni.createFrom().voidItem();
            if (patch.name() != null && !patch.name().strip().equals(agent.name)) {
                String name = patch.name().strip();
                steps = steps.chain(() -> agents.nameTaken(agent.organizationId, name)).invoke(taken -> {
                    if (taken && !name.equalsIgnoreCase(agent.name)) {
                        throw duplicateName(name);
                    }
                    agent.name = name;
                    changed.add("name");
                }).replaceWithVoid();
            }
            if (patch.description() != null && !patch.description().equals(agent.description)) {
                agent.description = patch.description();
                changed.add("description");
            }
            if (patch.tags() != null) {
                agent.tags = json(patch.tags());
                changed.add("tags");
            }
            if (patch.notifyChannels() != null) {
                agent.notify = notifyJson(rules.notify(notify(patch.notifyChannels())));
                changed.add("notify");
            }
            if (patch.environment() != null) {
                agent.environment = patch.environment().wire();
                changed.add("environment");
            }
            if (patch.timeoutSeconds() != null) {
                agent.timeoutSeconds = patch.timeoutSeconds();
                changed.add("timeout_seconds");
            }
            if (patch.status() != null && !patch.status().equals(agent.status)) {
                agent.status = patch.status();
                changed.add("status");
            }
            boolean configChanged = patch.endpointUrl() != null || patch.platformConfig() != null
                    || patch.authConfig() != null;
            if (configChanged) {
                steps = steps.chain(() -> reconfigure(agent, patch)).invoke(() -> {
                    if (patch.endpointUrl() != null) {
                        changed.add("endpoint_url");
                    }
                    if (patch.platformConfig() != null) {
                        changed.add("platform_config");
                    }
                    if (patch.authConfig() != null) {
                        changed.add("auth_config");
                    }
                });
            }
            // governance holds these settings: only the given fields are forwarded, nothing read is written back
            Uni<AgentGovernanceSettings> settings = patch.anyGovernanceField()
                    ? Uni.createFrom().deferred(() -> governance.change(agent.id, settings(agent.organizationId, patch)))
                            .invoke(() -> changed.add("governance"))
                    : Uni.createFrom().deferred(() -> governance.usage(List.of(agent.id)))
                            .map(usage -> usage.get(agent.id) == null ? null : usage.get(agent.id).settings());
            return steps.chain(() -> settings).call(() -> {
                if (changed.isEmpty()) {
                    return Uni.createFrom().voidItem();
                }
                agent.updatedAt = Instant.now();
                // flushed here so a name taken by a racing change fails inside this chain (409), not at commit
                Uni<?> events = agents.flush().chain(() -> outbox.add(Topics.AGENTS, EventTypes.AGENT_UPDATED, agent.id, agent.organizationId,
                        event(agent, caller.subject(), changed)));
                if (changed.contains("auth_config")) {
                    events = events.chain(() -> outbox.add(Topics.AGENTS, EventTypes.AGENT_CREDENTIALS_ROTATED,
                            agent.id, agent.organizationId, event(agent, caller.subject(), List.of("auth_config"))));
                }
                return events;
            }).map(current -> view(agent, current, null, false));
        }).onFailure(AgentService::isUniqueViolation).transform(e -> duplicateName(patch.name()));
    }

    /** Soft delete: the row and its history stay; deleting twice is harmless and emits one event. */
    @WithTransaction
    public Uni<Void> delete(String id, KaizenPrincipal caller) {
        return find(id, caller).chain(agent -> {
            if (ExternalAgent.DELETED.equals(agent.status)) {
                return Uni.createFrom().voidItem();
            }
            agent.status = ExternalAgent.DELETED;
            agent.deletedAt = Instant.now();
            agent.updatedAt = agent.deletedAt;
            return outbox.add(Topics.AGENTS, EventTypes.AGENT_DELETED, agent.id, agent.organizationId,
                    event(agent, caller.subject(), List.of("status"))).replaceWithVoid();
        });
    }

    /** The agent with its decrypted secrets, for the gateway only; every call is recorded as an access. */
    @WithTransaction
    public Uni<AgentDefinition> definition(String id) {
        return agents.findById(id)
                .onItem().ifNull().failWith(() -> AgentIds.notFound(id))
                .chain(agent -> store.open(agent.encryptedCredentials).call(secrets -> outbox.add(Topics.AGENTS,
                        EventTypes.AGENT_CREDENTIALS_ACCESSED, agent.id, agent.organizationId,
                        event(agent, "adapter-gateway", List.of("credentials"))))
                        .map(secrets -> {
                            Map<String, Object> platformConfig = new LinkedHashMap<>(read(agent.platformConfig, OBJECT));
                            platformConfig.putAll(secrets.platformSecrets());
                            return new AgentDefinition(agent.id, agent.organizationId, agent.name, agent.platform,
                                    agent.endpointUrl, platformConfig, agent.authType, secrets.credentials(),
                                    read(agent.tags, STRINGS), agent.environment, agent.timeoutSeconds, agent.status,
                                    agent.createdAt, notifyChannels(agent));
                        }));
    }

    private Uni<Void> reconfigure(ExternalAgent agent, PatchAgentRequest patch) {
        return store.open(agent.encryptedCredentials).chain(existing -> {
            Platform platform = Platform.valueOf(agent.platform.toUpperCase());
            AuthType currentAuth = AuthType.fromWire(agent.authType);
            AuthConfigRequest auth = patch.authConfig();
            AuthType authType = auth == null || auth.authType() == null ? currentAuth : auth.authType();
            Map<String, Object> credentials = auth == null || (auth.credentials() == null && authType == currentAuth)
                    ? existing.credentials() : auth.credentials();
            Map<String, Object> platformConfig = patch.platformConfig() != null ? patch.platformConfig()
                    : read(agent.platformConfig, OBJECT);
            boolean webhookMoved = patch.platformConfig() != null && patch.platformConfig().containsKey("webhook_url")
                    && !AgentConfig.MASK.equals(patch.platformConfig().get("webhook_url"));
            String endpoint = patch.endpointUrl() != null ? patch.endpointUrl()
                    : platform == Platform.CUSTOM_HTTP || !webhookMoved ? agent.endpointUrl : null;
            AgentConfig config = rules.validate(platform, endpoint, platformConfig, authType, credentials,
                    existing.platformSecrets());
            return applyConfig(agent, config);
        });
    }

    private Uni<Void> applyConfig(ExternalAgent agent, AgentConfig config) {
        agent.endpointUrl = config.endpointUrl();
        agent.platformConfig = json(config.publicPlatformConfig());
        agent.authType = config.authType().wire();
        boolean noSecrets = config.credentials().isEmpty() && config.platformSecrets().isEmpty();
        if (noSecrets) {
            agent.encryptedCredentials = null;
            agent.credentialsKey = null;
            return Uni.createFrom().voidItem();
        }
        return store.seal(new Secrets(config.credentials(), config.platformSecrets())).invoke(sealed -> {
            agent.encryptedCredentials = sealed.token();
            agent.credentialsKey = sealed.keyFingerprint();
        }).replaceWithVoid();
    }

    private Uni<ExternalAgent> find(String id, KaizenPrincipal caller) {
        return agents.findInOrganization(id, caller.organizationId()).onItem().ifNull().failWith(() -> AgentIds.notFound(id));
    }

    private static AgentGovernanceSettings settings(String organizationId, GovernanceFields fields) {
        return new AgentGovernanceSettings(organizationId, fields.maxMonthlyCost(), fields.maxDailyCost(),
                fields.costPerExecution(), fields.monthlyExecutionLimit(), fields.requestsPerMinute(),
                fields.requestsPerHour(), fields.requestsPerDay(), fields.inputTokenRate(), fields.outputTokenRate(),
                fields.baseInvocationCost(), fields.maxWeeklyCost(), fields.weeklyExecutionLimit(),
                fields.rolloverUnused(), fields.maxRolloverPercentage());
    }

    private AgentResponse view(ExternalAgent agent, AgentGovernanceSettings settings, AgentUsage usage,
            boolean withSummary) {
        AgentGovernanceSettings s = settings == null
                ? new AgentGovernanceSettings(agent.organizationId, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null) : settings;
        AgentResponse.GovernanceSummary summary = withSummary && usage != null
                ? new AgentResponse.GovernanceSummary(usage.currentMonthlyCost(), usage.dailySpent(),
                        usage.usagePercentage(), usage.invocationsToday(), usage.invocationsThisMonth())
                : null;
        return new AgentResponse(agent.id, agent.organizationId, agent.name, agent.description, agent.platform,
                agent.endpointUrl, read(agent.platformConfig, OBJECT),
                new AgentResponse.AuthConfigView(agent.authType, AgentConfig.MASK), read(agent.tags, STRINGS),
                agent.environment, agent.timeoutSeconds, agent.status, agent.createdBy, agent.createdAt,
                agent.updatedAt, s.maxMonthlyCost(), s.maxDailyCost(), s.costPerExecution(),
                s.monthlyExecutionLimit(), s.requestsPerMinute(), s.requestsPerHour(), s.requestsPerDay(),
                s.inputTokenRate(), s.outputTokenRate(), s.baseInvocationCost(), s.maxWeeklyCost(),
                s.weeklyExecutionLimit(), s.rolloverUnused(), s.maxRolloverPercentage(),
                usage == null ? null : usage.currentMonthlyCost(), usage == null ? null : usage.usagePercentage(),
                summary, notifyChannels(agent));
    }

    private static List<AgentDefinition.Notify> notify(List<NotifyChannelRequest> channels) {
        return channels == null ? null : channels.stream().map(channel -> new AgentDefinition.Notify(channel.type(),
                channel.to(), channel.agentId(), channel.url(), channel.on())).toList();
    }

    /** The channels as stored: null for none, so an agent without them reads as before. */
    private String notifyJson(List<AgentDefinition.Notify> channels) {
        return channels.isEmpty() ? null : json(channels);
    }

    private List<AgentDefinition.Notify> notifyChannels(ExternalAgent agent) {
        return agent.notify == null ? List.of() : read(agent.notify, NOTIFY);
    }

    private AgentEvent event(ExternalAgent agent, String actor, List<String> changedFields) {
        return new AgentEvent(agent.id, agent.organizationId, agent.name, agent.platform, agent.status,
                agent.environment, read(agent.tags, STRINGS), actor, Instant.now(), changedFields);
    }

    private static ProblemException duplicateName(String name) {
        return ProblemException.conflict("An external agent named '" + name + "' already exists in this organization");
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("external_agent_org_name")) {
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
