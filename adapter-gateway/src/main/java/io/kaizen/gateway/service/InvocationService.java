package io.kaizen.gateway.service;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.gateway.adapter.AgentCall;
import io.kaizen.gateway.adapter.AgentReply;
import io.kaizen.gateway.adapter.AgentSender;
import io.kaizen.gateway.adapter.PlatformAdapters;
import io.kaizen.gateway.adapter.UpstreamException;
import io.kaizen.gateway.client.AgentDirectory;
import io.kaizen.gateway.client.GovernanceDecisions;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.rest.InvokeRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The invoke path (DESIGN §3): check the caller's estimate, load the agent and its platform adapter, ask governance
 * once, deliver through the adapter, and record every outcome — blocked, failed or successful — with its event. What
 * cannot be delivered is refused before governance reserves anything.
 */
@ApplicationScoped
public class InvocationService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgentDirectory agents;
    private final GovernanceDecisions governance;
    private final PlatformAdapters adapters;
    private final AgentSender sender;
    private final InvocationRecorder recorder;

    InvocationService(AgentDirectory agents, GovernanceDecisions governance, PlatformAdapters adapters,
            AgentSender sender, InvocationRecorder recorder) {
        this.agents = agents;
        this.governance = governance;
        this.adapters = adapters;
        this.sender = sender;
        this.recorder = recorder;
    }

    /** A completed invocation and the rate-limit state to report in headers. */
    public record Outcome(Invocation invocation, AgentReply reply, Decision decision) {
    }

    public Uni<Outcome> invoke(String agentId, InvokeRequest request, CallerContext caller) {
        KaizenPrincipal principal = caller.principal();
        Instant started = Instant.now();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String traceId = randomHex(16);
        String spanId = randomHex(8);
        BigDecimal estimatedCost = InvokeMetadata.estimatedCost(request.metadata());
        return agents.invocable(agentId, principal.organizationId())
                .chain(agent -> {
                    // an agent the gateway cannot deliver to is refused before governance reserves anything
                    adapters.forPlatform(agent.platform());
                    return governance.decide(new DecisionRequest(invocationId, principal.organizationId(),
                            agentId, caller.lineage().userId(), principal.subject(), principal.teamId(),
                            List.copyOf(principal.roles()), agent.environment(), caller.ipAddress(), caller.country(),
                            estimatedCost, InvokeMetadata.estimatedTokens(request.metadata()), agent.platform(),
                            agent.tags(), agent.createdAt(), request.input()))
                            .chain(decision -> switch (decision.outcome()) {
                                case ALLOW -> deliver(agent, request, caller, decision, invocationId, traceId,
                                        spanId, started);
                                // REQUIRE_APPROVAL falls to the default branch and fails closed until held invocations exist
                                default -> block(agent, caller, decision, invocationId, traceId, spanId, started)
                                        .chain(() -> Uni.createFrom().failure(GovernanceProblems.of(decision, invocationId)));
                            });
                });
    }

    private Uni<Outcome> deliver(AgentDefinition agent, InvokeRequest request,
            CallerContext caller, Decision decision, String invocationId, String traceId, String spanId,
            Instant started) {
        AgentCall call = new AgentCall(agent, invocationId, traceId, spanId, caller.principal().organizationId(),
                request.input(), request.context(), request.metadata());
        return sender.send(call)
                .onItemOrFailure().transformToUni((reply, failure) -> {
                    Invocation invocation = invocation(agent, caller, decision, invocationId, traceId, started);
                    if (failure == null) {
                        invocation.status = Invocation.SUCCESS;
                        invocation.responseStatusCode = reply.statusCode();
                        invocation.inputTokens = reply.inputTokens();
                        invocation.outputTokens = reply.outputTokens();
                        invocation.costUsd = cost(reply, decision);
                        return recorder.record(invocation, EventTypes.INVOCATION_COMPLETED,
                                event(invocation, agent, caller, decision, spanId, null, reply.reportedCostUsd()))
                                .map(saved -> new Outcome(saved, reply, decision));
                    }
                    UpstreamException upstream = failure instanceof UpstreamException u ? u
                            : new UpstreamException("agent call failed", false, null);
                    invocation.status = upstream.timeout() ? Invocation.TIMEOUT : Invocation.FAILURE;
                    invocation.errorCode = (upstream.timeout() ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_ERROR).name();
                    invocation.responseStatusCode = upstream.statusCode();
                    // The agent was never reached or returned no usable answer: nothing is charged.
                    invocation.costUsd = BigDecimal.ZERO;
                    return recorder.record(invocation, EventTypes.INVOCATION_FAILED,
                            event(invocation, agent, caller, decision, spanId, upstream.getMessage(), null))
                            .chain(saved -> Uni.createFrom().failure(upstreamProblem(upstream, invocationId)));
                });
    }

    private Uni<Invocation> block(AgentDefinition agent, CallerContext caller, Decision decision, String invocationId,
            String traceId, String spanId, Instant started) {
        Invocation invocation = invocation(agent, caller, decision, invocationId, traceId, started);
        invocation.status = Invocation.BLOCKED;
        invocation.errorCode = GovernanceProblems.errorCode(decision).name();
        invocation.costUsd = BigDecimal.ZERO;
        return recorder.record(invocation, EventTypes.INVOCATION_BLOCKED,
                event(invocation, agent, caller, decision, spanId, decision.reason(), null));
    }

    /**
     * What a completed call is charged, as governance settles it: the cost the agent reported; else, when it reported
     * token counts, their price at the agent's rates as governance gave them; else the agent's configured cost.
     */
    private static BigDecimal cost(AgentReply reply, Decision decision) {
        if (reply.reportedCostUsd() != null) {
            return reply.reportedCostUsd();
        }
        if (reply.reportedTokens() && decision.tokenRates() != null) {
            return decision.tokenRates().price(reply.inputTokens(), reply.outputTokens());
        }
        return decision.costPerExecution() != null ? decision.costPerExecution() : decision.estimatedCost();
    }

    private static Invocation invocation(AgentDefinition agent, CallerContext caller, Decision decision,
            String invocationId, String traceId, Instant started) {
        Invocation invocation = new Invocation();
        invocation.id = invocationId;
        invocation.organizationId = caller.principal().organizationId();
        invocation.agentId = agent.id();
        invocation.decision = decision.outcome().name();
        invocation.decisionId = decision.decisionId();
        invocation.externalUserId = caller.lineage().userId();
        invocation.externalUserEmail = caller.lineage().userEmail();
        invocation.externalSystem = caller.lineage().system();
        invocation.externalSessionId = caller.lineage().sessionId();
        invocation.traceId = traceId;
        invocation.createdAt = started;
        invocation.completedAt = Instant.now();
        invocation.durationMs = Duration.between(started, invocation.completedAt).toMillis();
        return invocation;
    }

    private static InvocationEvent event(Invocation invocation, AgentDefinition agent, CallerContext caller,
            Decision decision, String spanId, String errorMessage, BigDecimal reportedCost) {
        LineageHeaders lineage = caller.lineage();
        KaizenPrincipal principal = caller.principal();
        return new InvocationEvent(invocation.id, invocation.organizationId, invocation.status,
                new InvocationEvent.ExternalUser(lineage.userId(), lineage.userEmail(), lineage.userName(), null),
                new InvocationEvent.ExternalSystem(lineage.system(), lineage.sessionId(), lineage.traceId(),
                        lineage.context()),
                new InvocationEvent.KaizenAuth(principal.method(), principal.subject(), principal.apiKeyId(),
                        principal.apiKeyPrefix(), principal.organizationId(), principal.teamId()),
                new InvocationEvent.Agent(agent.id(), agent.name(), agent.platform(), EndpointDisplay.of(agent), null),
                new InvocationEvent.Trace(invocation.traceId, spanId, lineage.traceId()),
                new InvocationEvent.RequestContext(caller.ipAddress(), caller.userAgent(), invocation.createdAt),
                new InvocationEvent.Governance(decision.outcome().name(), decision.decisionId(), decision.reason(),
                        decision.reservationId(), null, null),
                new InvocationEvent.Result(invocation.completedAt, invocation.durationMs, invocation.costUsd,
                        invocation.responseStatusCode, invocation.errorCode, errorMessage, reportedCost,
                        invocation.inputTokens, invocation.outputTokens));
    }

    private static ProblemException upstreamProblem(UpstreamException e, String invocationId) {
        ProblemException problem = e.timeout()
                ? new ProblemException(504, ErrorCode.UPSTREAM_TIMEOUT, "External agent timed out")
                : new ProblemException(502, ErrorCode.UPSTREAM_ERROR, "External agent call failed: " + e.getMessage());
        problem.with("invocation_id", invocationId).header("X-Kaizen-Invocation-ID", invocationId);
        if (e.statusCode() != null) {
            problem.with("upstream_status", e.statusCode());
        }
        return problem;
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
