package io.kaizen.governance.service;

import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.kaizen.common.vertx.CommitListener;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.domain.OrganizationGovernance;
import io.kaizen.governance.domain.PolicyRecord;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.service.EffectiveGovernance.OrganizationPolicies;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The governance of agents and organisations as decisions read it: loaded from PostgreSQL once and reused, so a
 * decision costs no query in the common case. Concurrent misses of one entry share one load, run in a session of
 * its own (never a caller's transaction, whose uncommitted writes must not be cached).
 * <p>
 * Every write of configuration notifies {@link #CHANNEL} in its transaction ({@link #agentChanged},
 * {@link #organizationChanged}); each replica listens and drops what changed when the write commits, including loads
 * still in flight, whose answers are then not kept. While listening an entry lives
 * {@code kaizen.governance.config-cache-listening-ttl} (5 min), a bound for a notification lost to a silent network
 * fault. While the connection is down, entries loaded meanwhile live {@code kaizen.governance.config-cache-ttl}
 * (1 s), and everything is dropped once it listens again, since changes committed in between were not heard. Entries
 * are not dropped when it goes down: with PostgreSQL down nothing can change, and decisions of cached agents go on
 * in Redis (docs/governance.md, faults).
 */
@ApplicationScoped
public class GovernanceSnapshots {

    /** The channel writers of agent and organisation configuration notify; payloads {@code agent:<id>}, {@code organization:<id>}. */
    public static final String CHANNEL = "kaizen_governance";
    private static final String AGENT = "agent:";
    private static final String ORGANIZATION = "organization:";
    /** Cast to text as {@link io.kaizen.common.outbox.Outbox#NOTIFICATION} is. */
    private static final String NOTIFY = "select cast(pg_notify('" + CHANNEL + "', ?1) as text)";
    private static final int MAX_ENTRIES = 50_000;
    private static final ZoneId UTC = ZoneId.of("UTC");

    private final GovernanceConfig config;
    private final JsonColumns json;
    private final Vertx vertx;
    private final CommitListener commits;
    private final AsyncCache<AgentKey, EffectiveGovernance> agents;
    private final AsyncCache<String, OrganizationPolicies> organizations;
    private volatile boolean listening;

    GovernanceSnapshots(GovernanceConfig config, JsonColumns json, Vertx vertx, CommitListener commits) {
        this.config = config;
        this.json = json;
        this.vertx = vertx;
        this.commits = commits;
        this.agents = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfter(this.<AgentKey, EffectiveGovernance>lifetime())
                .buildAsync();
        this.organizations = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
                .expireAfter(this.<String, OrganizationPolicies>lifetime()).buildAsync();
    }

    /** An agent's entry is per organisation asked for: an agent governance has never heard of gets its defaults. */
    private record AgentKey(String agentId, String organizationId) {
    }

    void onStart(@Observes StartupEvent event) {
        commits.listen(CHANNEL, this::changed, now -> {
            listening = now;
            if (now) {
                // changes committed while the connection was down were not heard
                forgetAll();
            }
        });
    }

    /** A change another transaction (of any replica) committed: what it names is dropped. */
    private void changed(String payload) {
        if (payload.startsWith(AGENT)) {
            forgetAgent(payload.substring(AGENT.length()));
        } else if (payload.startsWith(ORGANIZATION)) {
            forgetOrganization(payload.substring(ORGANIZATION.length()));
        } else {
            forgetAll();
        }
    }

    /** Whether changes committed by any replica are heard (and cached entries may live the longer TTL). */
    public boolean listening() {
        return listening;
    }

    /**
     * The governance of an agent; an unknown agent gets the defaults under {@code organizationId}. A cached entry is
     * answered at once; a load reads the agent's row in a session of its own, closed before its organisation is
     * asked for (from the cache or by a load of its own), so a load never holds a connection while it waits for
     * another: a burst of misses cannot take the whole pool and wait on itself.
     */
    public Uni<EffectiveGovernance> agent(String agentId, String organizationId) {
        return cached(agents, new AgentKey(agentId, organizationId),
                () -> Panache.withSession(() -> AgentGovernance.<AgentGovernance>findById(agentId))
                        .chain(row -> organization(organizationOf(row, organizationId))
                                .map(org -> effective(agentId, organizationId, row, org))));
    }

    public Uni<OrganizationPolicies> organization(String organizationId) {
        return cached(organizations, organizationId, () -> loadOrganization(organizationId));
    }

    /**
     * The agent's governance read now in the caller's session, bypassing the cache: what a write answers with, its
     * own changes included before they commit.
     */
    public Uni<EffectiveGovernance> loadAgent(String agentId, String organizationId) {
        return Panache.withSession(() -> AgentGovernance.<AgentGovernance>findById(agentId)
                .chain(row -> loadOrganization(organizationOf(row, organizationId))
                        .map(org -> effective(agentId, organizationId, row, org))));
    }

    /** The organisation's governance read now in the caller's session (or one of its own), bypassing the cache. */
    public Uni<OrganizationPolicies> loadOrganization(String organizationId) {
        return Panache.withSession(() -> OrganizationGovernance.<OrganizationGovernance>findById(organizationId)
                .chain(row -> PolicyRecord.<PolicyRecord>list("organizationId", organizationId)
                        .map(policies -> organizationOf(organizationId, row, policies))));
    }

    private static String organizationOf(AgentGovernance row, String asked) {
        return row != null ? row.organizationId : asked;
    }

    private EffectiveGovernance effective(String agentId, String organizationId, AgentGovernance row,
            OrganizationPolicies organization) {
        return EffectiveGovernance.of(agentId, organizationId, row, row == null ? List.of() : json.strings(row.tags),
                row == null ? null : json.triggers(row.approvalTriggers), organization, config.defaults());
    }

    /**
     * Announces a change of the agent's governance in the caller's transaction: every replica drops the agent when
     * it commits. This replica drops it at once too.
     */
    public Uni<Void> agentChanged(String agentId) {
        return notify(AGENT + agentId).invoke(() -> forgetAgent(agentId));
    }

    /** As {@link #agentChanged} for an organisation's settings or policies (and so its agents' entries). */
    public Uni<Void> organizationChanged(String organizationId) {
        return notify(ORGANIZATION + organizationId).invoke(() -> forgetOrganization(organizationId));
    }

    private static Uni<Void> notify(String payload) {
        return Panache.getSession().chain(session -> session.createNativeQuery(NOTIFY).setParameter(1, payload)
                .getSingleResult()).replaceWithVoid();
    }

    void forgetAgent(String agentId) {
        agents.asMap().keySet().removeIf(key -> key.agentId().equals(agentId));
    }

    void forgetOrganization(String organizationId) {
        organizations.synchronous().invalidate(organizationId);
        // an agent's entry carries its organisation's policies: asked for under it, or (when done) belonging to it
        agents.asMap().keySet().removeIf(key -> key.organizationId().equals(organizationId));
        agents.synchronous().asMap().values().removeIf(entry -> entry.organizationId().equals(organizationId));
    }

    void forgetAll() {
        agents.synchronous().invalidateAll();
        organizations.synchronous().invalidateAll();
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

    /** How long an entry lives from its load: long while changes are heard, short while they may be missed. */
    private <K, V> Expiry<K, V> lifetime() {
        return Expiry.writing((key, value) -> listening ? config.configCacheListeningTtl() : config.configCacheTtl());
    }

    private <K, V> Uni<V> cached(AsyncCache<K, V> cache, K key, Supplier<Uni<V>> loader) {
        CompletableFuture<V> entry = cache.get(key,
                (ignored, executor) -> DetachedContext.run(vertx, loader).subscribeAsCompletionStage());
        if (entry.isDone() && !entry.isCompletedExceptionally()) {
            return Uni.createFrom().item(entry.getNow(null));
        }
        // a copy, so that a caller going away cancels only its own wait, not the load the others share
        return DetachedContext.resumeOn(Vertx.currentContext(), Uni.createFrom().completionStage(entry.copy()));
    }
}
