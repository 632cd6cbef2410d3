package io.kaizen.gateway.client;

import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.gateway.config.AgentCacheConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;

/**
 * Agents as the invoke path sees them: absent and foreign agents are 404, inactive ones 409.
 * <p>
 * Agents are cached by id as registry returned them, credentials included (in memory only; an
 * {@link AgentDefinition} is never logged). Concurrent misses of one agent share one registry call. An entry is
 * dropped when registry announces a change of the agent (AgentCacheInvalidation), and at the latest after
 * {@link AgentCacheConfig#ttl()}. The organisation and status checks run on every invoke, cached or not.
 */
@ApplicationScoped
public class AgentDirectory {

    private static final Logger LOG = Logger.getLogger(AgentDirectory.class);

    private final RegistryClient registry;
    private final AsyncCache<String, AgentDefinition> agents;

    AgentDirectory(@RestClient RegistryClient registry, AgentCacheConfig config, MeterRegistry meters) {
        this.registry = registry;
        // a future that fails is removed by the cache itself: 404s and outages are never cached, because their ids
        // are the caller's choice (random ids would push real agents out) and an outage must not outlast itself
        this.agents = CaffeineCacheMetrics.monitor(meters, Caffeine.newBuilder()
                .maximumSize(config.maxSize())
                .expireAfterWrite(config.ttl())
                .recordStats()
                .<String, AgentDefinition>buildAsync(), "agents");
    }

    public Uni<AgentDefinition> invocable(String agentId, String organizationId) {
        return cached(agentId).map(agent -> {
            if (!agent.organizationId().equals(organizationId)) {
                throw AgentIds.notFound(agentId);
            }
            if (!"active".equals(agent.status())) {
                throw ProblemException.conflict("External agent " + agentId + " is " + agent.status());
            }
            return agent;
        });
    }

    /** Drops one agent: the next invoke reads it from registry again. */
    public void forget(String agentId) {
        agents.synchronous().invalidate(agentId);
    }

    /** Drops every agent, including reads still in flight, whose answers are then not kept. */
    public void forgetAll() {
        agents.synchronous().invalidateAll();
    }

    private Uni<AgentDefinition> cached(String agentId) {
        Context caller = Vertx.currentContext();
        CompletableFuture<AgentDefinition> entry = agents.get(agentId,
                (id, executor) -> fetch(id).subscribeAsCompletionStage());
        // a copy, so that a caller going away cancels only its own wait, not the read the others share
        Uni<AgentDefinition> agent = Uni.createFrom().completionStage(entry.copy());
        // a shared read completes on the context of the invoke that started it: each waiter resumes on its own
        return entry.isDone() ? agent : DetachedContext.resumeOn(caller, agent);
    }

    private Uni<AgentDefinition> fetch(String agentId) {
        return registry.agent(agentId)
                .onFailure().transform(e -> {
                    if (isNotFound(e)) {
                        return AgentIds.notFound(agentId);
                    }
                    LOG.warnf("registry did not return agent %s: %s", agentId, e.toString());
                    return new ProblemException(503, ErrorCode.INTERNAL_ERROR, "Agent registry unavailable");
                });
    }

    private static boolean isNotFound(Throwable e) {
        return e instanceof WebApplicationException w && w.getResponse().getStatus() == 404;
    }
}
