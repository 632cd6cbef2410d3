package io.kaizen.governance.service;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.domain.OrganizationGovernance;
import io.kaizen.governance.domain.PolicyRecord;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.service.EffectiveGovernance.OrganizationPolicies;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The governance of agents and organisations as decisions read it: loaded from PostgreSQL and reused for
 * {@code kaizen.governance.config-cache-ttl} (1 s by default), so a decision costs no query in the common case.
 * Writes through this replica drop its entries at once; other replicas see a change within the TTL.
 */
@ApplicationScoped
public class GovernanceSnapshots {

    private static final int MAX_ENTRIES = 50_000;
    private static final ZoneId UTC = ZoneId.of("UTC");

    private final GovernanceConfig config;
    private final JsonColumns json;
    private final Duration ttl;
    private final Map<String, Entry<EffectiveGovernance>> agents = new ConcurrentHashMap<>();
    private final Map<String, Entry<OrganizationPolicies>> organizations = new ConcurrentHashMap<>();

    GovernanceSnapshots(GovernanceConfig config, JsonColumns json) {
        this.config = config;
        this.json = json;
        this.ttl = config.configCacheTtl();
    }

    private record Entry<T>(T value, long expiresAt) {
    }

    /**
     * The governance of an agent; an unknown agent gets the defaults under {@code organizationId}. A cached entry is
     * answered without opening a session: only a load does (in the caller's session, or one of its own).
     */
    public Uni<EffectiveGovernance> agent(String agentId, String organizationId) {
        return cached(agents, agentId + "|" + organizationId, () -> Panache.withSession(
                () -> AgentGovernance.<AgentGovernance>findById(agentId)
                        .chain(row -> organization(row != null ? row.organizationId : organizationId)
                                .map(org -> EffectiveGovernance.of(agentId, organizationId, row,
                                        row == null ? List.of() : json.strings(row.tags),
                                        row == null ? null : json.triggers(row.approvalTriggers), org,
                                        config.defaults())))));
    }

    public Uni<OrganizationPolicies> organization(String organizationId) {
        return cached(organizations, organizationId, () -> Panache.withSession(
                () -> OrganizationGovernance.<OrganizationGovernance>findById(organizationId)
                        .chain(row -> PolicyRecord.<PolicyRecord>list("organizationId", organizationId)
                                .map(policies -> organizationOf(organizationId, row, policies)))));
    }

    public void forgetAgent(String agentId) {
        agents.keySet().removeIf(key -> key.startsWith(agentId + "|"));
    }

    public void forgetOrganization(String organizationId) {
        organizations.remove(organizationId);
        agents.values().removeIf(entry -> entry.value().organizationId().equals(organizationId));
    }

    private OrganizationPolicies organizationOf(String organizationId, OrganizationGovernance row,
            List<PolicyRecord> policies) {
        GovernanceConfig.Defaults defaults = config.defaults();
        CombiningStrategy strategy = row != null && row.combiningStrategy != null
                ? CombiningStrategy.valueOf(row.combiningStrategy) : defaults.combiningStrategy();
        Effect effect = PolicyValidator.effect(row != null && row.defaultEffect != null ? row.defaultEffect
                : defaults.defaultEffect(), "default_effect");
        long budget = row == null ? -1 : io.kaizen.governance.budget.Money.limitMicros(row.monthlyBudgetUsd);
        return new OrganizationPolicies(organizationId, strategy, effect, budget,
                row == null ? null : json.triggers(row.approvalTriggers),
                policies.stream().map(json::policy).toList(), row != null,
                row == null || row.timeZone == null ? UTC : ZoneId.of(row.timeZone));
    }

    private <T> Uni<T> cached(Map<String, Entry<T>> cache, String key, Supplier<Uni<T>> loader) {
        long now = System.nanoTime();
        Entry<T> entry = cache.get(key);
        if (entry != null && entry.expiresAt() - now > 0) {
            return Uni.createFrom().item(entry.value());
        }
        return loader.get().invoke(value -> {
            if (cache.size() > MAX_ENTRIES) {
                cache.clear();
            }
            cache.put(key, new Entry<>(value, System.nanoTime() + ttl.toNanos()));
        });
    }
}
