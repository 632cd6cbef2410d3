package io.kaizen.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.gateway.adapter.AgentCall;
import io.kaizen.gateway.adapter.AgentSender;
import io.kaizen.gateway.adapter.PlatformAdapters;
import io.kaizen.gateway.adapter.UpstreamException;
import io.kaizen.gateway.client.AgentDirectory;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Test messages ({@code POST /api/v1/external-agents/{id}/test}): a real message through the agent's adapter and
 * outbound auth, to check that the agent is reachable. Not governed and not charged — nothing is invoked — but
 * limited to {@link #PER_HOUR} per agent in any hour, across replicas (counted in PostgreSQL under a lock per agent).
 */
@ApplicationScoped
public class AgentTests {

    public static final int PER_HOUR = 10;
    static final String DEFAULT_MESSAGE = "Test message from Kaizen External Agents: this agent can be reached.";
    private static final Duration WINDOW = Duration.ofHours(1);

    private final AgentDirectory agents;
    private final PlatformAdapters adapters;
    private final AgentSender sender;

    AgentTests(AgentDirectory agents, PlatformAdapters adapters, AgentSender sender) {
        this.agents = agents;
        this.adapters = adapters;
        this.sender = sender;
    }

    /** What the test found: whether the agent answered with success, and how. */
    public record Result(boolean success, @Schema(nullable = true) Integer statusCode, long responseTimeMs,
            @Schema(nullable = true) JsonNode responseBody, @Schema(nullable = true) String error, Instant testedAt) {
    }

    public Uni<Result> test(String agentId, String organizationId, String message) {
        return agents.invocable(agentId, organizationId)
                // an agent whose platform cannot be reached is refused before the test is counted
                .invoke(agent -> adapters.forPlatform(agent.platform()))
                .chain(agent -> count(agentId, organizationId).replaceWith(agent))
                .chain(agent -> {
                    String id = PrefixedId.next(PrefixedId.INVOCATION);
                    Instant started = Instant.now();
                    CallTrace trace = CallTrace.current();
                    AgentCall call = new AgentCall(agent, id, trace.traceId(), trace.spanId(), organizationId,
                            message == null ? DEFAULT_MESSAGE : message, Map.of("test", true), Map.of());
                    return sender.send(adapters.forPlatform(agent.platform()), call).onItemOrFailure().transform((reply, failure) -> {
                        long took = Duration.between(started, Instant.now()).toMillis();
                        if (failure == null) {
                            return new Result(true, reply.statusCode(), took, reply.output(), null, started);
                        }
                        UpstreamException upstream = failure instanceof UpstreamException u ? u
                                : new UpstreamException("agent call failed", false, null);
                        return new Result(false, upstream.statusCode(), took, null, upstream.getMessage(), started);
                    });
                });
    }

    /** Counts this test against the agent's hourly limit, or refuses it with the time until a slot frees. */
    private Uni<Void> count(String agentId, String organizationId) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session
                .createNativeQuery("select pg_advisory_xact_lock(hashtextextended(:agent, 7))")
                .setParameter("agent", agentId).getSingleResult()
                .chain(() -> session.createNativeQuery("delete from agent_test where agent_id = :agent"
                                + " and tested_at <= :start").setParameter("agent", agentId)
                        .setParameter("start", now.minus(WINDOW)).executeUpdate())
                .chain(() -> session.createNativeQuery("select tested_at from agent_test where agent_id = :agent"
                                + " order by tested_at", Instant.class)
                        .setParameter("agent", agentId).getResultList())
                .chain(recent -> {
                    if (recent.size() >= PER_HOUR) {
                        throw limited(recent, now);
                    }
                    return session.createNativeQuery("insert into agent_test (id, organization_id, agent_id, tested_at)"
                                    + " values (:id, :organization, :agent, :now)")
                            .setParameter("id", PrefixedId.next(PrefixedId.INVOCATION))
                            .setParameter("organization", organizationId)
                            .setParameter("agent", agentId)
                            .setParameter("now", now)
                            .executeUpdate();
                }))).replaceWithVoid();
    }

    private static ProblemException limited(List<Instant> recent, Instant now) {
        Instant frees = recent.get(recent.size() - PER_HOUR).plus(WINDOW);
        long seconds = Math.max(1, Duration.between(now, frees).toSeconds() + 1);
        return new ProblemException(429, ErrorCode.RATE_LIMIT_EXCEEDED,
                "Test messages are limited to " + PER_HOUR + " per agent per hour")
                .with("limit", PER_HOUR).with("remaining", 0).with("retry_after_seconds", seconds)
                .header("Retry-After", String.valueOf(seconds));
    }
}
