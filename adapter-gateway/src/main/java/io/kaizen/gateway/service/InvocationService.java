package io.kaizen.gateway.service;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.gateway.adapter.AgentCall;
import io.kaizen.gateway.adapter.AgentReply;
import io.kaizen.gateway.adapter.AgentSender;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.adapter.PlatformAdapter;
import io.kaizen.gateway.adapter.PlatformAdapters;
import io.kaizen.gateway.adapter.UpstreamException;
import io.kaizen.gateway.client.AgentDirectory;
import io.kaizen.gateway.client.GovernanceDecisions;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.rest.InvokeRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The invoke path (DESIGN §3): check the caller's estimate, load the agent and its platform adapter, ask governance
 * once, deliver through the adapter, and record every outcome — blocked, failed or successful — with its event. What
 * cannot be delivered is refused before governance reserves anything.
 */
@ApplicationScoped
public class InvocationService {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = Logger.getLogger(InvocationService.class);

    private final AgentDirectory agents;
    private final GovernanceDecisions governance;
    private final PlatformAdapters adapters;
    private final AgentSender sender;
    private final InvocationRecorder recorder;
    private final Notifications notifications;
    private final ObjectMapper mapper;
    private final Vertx vertx;

    InvocationService(AgentDirectory agents, GovernanceDecisions governance, PlatformAdapters adapters,
            AgentSender sender, InvocationRecorder recorder, Notifications notifications, ObjectMapper mapper,
            Vertx vertx) {
        this.notifications = notifications;
        this.agents = agents;
        this.governance = governance;
        this.adapters = adapters;
        this.sender = sender;
        this.recorder = recorder;
        this.mapper = mapper;
        this.vertx = vertx;
    }

    /**
     * An invocation and the rate-limit state to report in headers: completed, with the agent's reply, or, for an
     * asynchronous invoke, accepted (no reply yet).
     */
    public record Outcome(Invocation invocation, AgentReply reply, Decision decision) {
    }

    /**
     * Invokes an agent. Synchronously the outcome is the completed invocation; with {@code async} it is the
     * accepted invocation, answered once it is stored, while the agent is called in the background and the final
     * state is recorded when it answers.
     */
    public Uni<Outcome> invoke(String agentId, InvokeRequest request, CallerContext caller, boolean async) {
        KaizenPrincipal principal = caller.principal();
        Instant started = Instant.now();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String traceId = randomHex(16);
        String spanId = randomHex(8);
        BigDecimal estimatedCost = InvokeMetadata.estimatedCost(request.metadata());
        return agents.invocable(agentId, principal.organizationId())
                .chain(agent -> {
                    // an agent the gateway cannot deliver to is refused before governance reserves anything
                    PlatformAdapter adapter = adapters.forPlatform(agent.platform());
                    return governance.decide(new DecisionRequest(invocationId, principal.organizationId(),
                            agentId, caller.lineage().userId(), principal.subject(), principal.teamId(),
                            List.copyOf(principal.roles()), agent.environment(), caller.ipAddress(), caller.country(),
                            estimatedCost, InvokeMetadata.estimatedTokens(request.metadata()), agent.platform(),
                            agent.tags(), agent.createdAt(), request.input()))
                            .chain(decision -> switch (decision.outcome()) {
                                case ALLOW -> accept(adapter, agent, request, caller, decision, invocationId, traceId,
                                        spanId, started, async);
                                // REQUIRE_APPROVAL falls to the default branch and fails closed until held invocations exist
                                default -> block(agent, caller, decision, invocationId, traceId, spanId, started)
                                        .chain(() -> Uni.createFrom().failure(GovernanceProblems.of(decision, invocationId)));
                            });
                });
    }

    /**
     * Stores the allowed call as accepted before the agent is called, with the failure event to publish should
     * the gateway stop before the agent answers; then delivers it, in the background when asynchronous.
     */
    private Uni<Outcome> accept(PlatformAdapter adapter, AgentDefinition agent, InvokeRequest request,
            CallerContext caller, Decision decision, String invocationId, String traceId, String spanId, Instant started, boolean async) {
        Invocation accepted = invocation(agent, caller, decision, invocationId, traceId, started);
        accepted.status = Invocation.ACCEPTED;
        accepted.mode = async ? Invocation.ASYNC : Invocation.SYNC;
        accepted.completedAt = null;
        accepted.durationMs = null;
        accepted.deadline = started.plusSeconds(agent.timeoutSeconds()).plus(InvocationSweep.MARGIN);
        accepted.pendingEvent = overdueEvent(accepted, agent, caller, decision, spanId);
        return recorder.accept(accepted).chain(stored -> {
            if (!async) {
                return deliver(adapter, agent, request, caller, decision, invocationId, traceId, spanId, started, false);
            }
            // the caller has its answer; the outcome is recorded (and read at GET /api/v1/invocations/{id})
            DetachedContext.run(vertx, () -> deliver(adapter, agent, request, caller, decision, invocationId, traceId,
                    spanId, started, true)).subscribe().with(done -> { }, failure -> {
                        // a refusal of the agent is its recorded outcome; anything else left the call accepted, for
                        // the sweep to close
                        if (!(failure instanceof ProblemException)) {
                            LOG.warnf("asynchronous invocation %s was not recorded: %s", invocationId,
                                    failure.getClass().getSimpleName());
                        }
                    });
            return Uni.createFrom().item(new Outcome(stored, null, decision));
        });
    }

    /**
     * The post of an allowed call's outcome to the caller's {@code callback_url}, or null without one. It carries
     * {@code webhook-id} (the invocation id, the same on every retry) and {@code webhook-timestamp}, so a receiver can
     * drop repeats.
     */
    private OutboundRequest callback(InvokeRequest request, Invocation invocation, JsonNode output) {
        if (request.callbackUrl() == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocation_id", invocation.id);
        body.put("external_agent_id", invocation.agentId);
        body.put("status", invocation.status);
        body.put("trace_id", invocation.traceId);
        body.put("output", output);
        body.put("error_code", invocation.errorCode);
        body.put("error_message", invocation.errorMessage);
        body.put("upstream_status", invocation.responseStatusCode);
        body.put("cost_usd", invocation.costUsd);
        body.put("duration_ms", invocation.durationMs);
        body.put("completed_at", invocation.completedAt.toString());
        try {
            return OutboundRequest.json(request.callbackUrl(), mapper.writeValueAsBytes(body))
                    .withHeader("X-Kaizen-Invocation-ID", invocation.id)
                    .withHeader("webhook-id", invocation.id)
                    .withHeader("webhook-timestamp", String.valueOf(invocation.completedAt.getEpochSecond()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("callback is not serialisable", e);
        }
    }

    /** The {@code invocation.failed} event of an accepted call closed because the gateway stopped mid-call. */
    private String overdueEvent(Invocation accepted, AgentDefinition agent, CallerContext caller, Decision decision,
            String spanId) {
        Invocation failed = invocation(agent, caller, decision, accepted.id, accepted.traceId, accepted.createdAt);
        failed.status = Invocation.FAILURE;
        failed.errorCode = InvocationEvent.OUTCOME_UNKNOWN;
        failed.costUsd = null;
        failed.completedAt = accepted.deadline;
        failed.durationMs = Duration.between(accepted.createdAt, accepted.deadline).toMillis();
        try {
            return mapper.writeValueAsString(event(failed, agent, caller, decision, spanId, InvocationSweep.REASON, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invocation event is not serialisable", e);
        }
    }

    private Uni<Outcome> deliver(PlatformAdapter adapter, AgentDefinition agent, InvokeRequest request,
            CallerContext caller, Decision decision, String invocationId, String traceId, String spanId,
            Instant started, boolean async) {
        AgentCall call = new AgentCall(agent, invocationId, traceId, spanId, caller.principal().organizationId(),
                request.input(), request.context(), request.metadata());
        return sender.send(adapter, call)
                .onItemOrFailure().transformToUni((reply, failure) -> {
                    Invocation invocation = invocation(agent, caller, decision, invocationId, traceId, started);
                    invocation.mode = async ? Invocation.ASYNC : Invocation.SYNC;
                    if (failure == null) {
                        invocation.status = Invocation.SUCCESS;
                        invocation.output = async ? reply.output().toString() : null;
                        invocation.responseStatusCode = reply.statusCode();
                        invocation.inputTokens = reply.inputTokens();
                        invocation.outputTokens = reply.outputTokens();
                        invocation.costUsd = cost(reply, decision);
                        return recorder.record(invocation, EventTypes.INVOCATION_COMPLETED,
                                event(invocation, agent, caller, decision, spanId, null, reply.reportedCostUsd()),
                                callback(request, invocation, reply.output()),
                                notifications.invocationOutcome(agent, invocation, reply.output()))
                                .map(saved -> new Outcome(saved, reply, decision));
                    }
                    UpstreamException upstream = failure instanceof UpstreamException u ? u
                            : new UpstreamException("agent call failed", false, null);
                    invocation.status = upstream.timeout() ? Invocation.TIMEOUT : Invocation.FAILURE;
                    invocation.errorCode = (upstream.timeout() ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_ERROR).name();
                    invocation.responseStatusCode = upstream.statusCode();
                    invocation.errorMessage = truncated(upstream.getMessage());
                    // The agent was never reached or returned no usable answer: nothing is charged.
                    invocation.costUsd = BigDecimal.ZERO;
                    return recorder.record(invocation, EventTypes.INVOCATION_FAILED,
                            event(invocation, agent, caller, decision, spanId, upstream.getMessage(), null),
                            callback(request, invocation, null),
                            notifications.invocationOutcome(agent, invocation, null))
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
                        decision.reservationId(), null, null,
                        decision.policy() == null ? null : decision.policy().policyId(), null, null,
                        decision.rateLimit() == null ? null : decision.rateLimit().remaining()),
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

    private static String truncated(String message) {
        return message == null || message.length() <= 500 ? message : message.substring(0, 499) + "…";
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
