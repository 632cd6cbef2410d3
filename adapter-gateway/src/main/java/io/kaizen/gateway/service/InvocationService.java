package io.kaizen.gateway.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.governance.BudgetRemaining;
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
import io.kaizen.gateway.adapter.PlatformAdapter;
import io.kaizen.gateway.adapter.PlatformAdapters;
import io.kaizen.gateway.adapter.UpstreamException;
import io.kaizen.gateway.client.AgentDirectory;
import io.kaizen.gateway.client.GovernanceDecisions;
import io.kaizen.gateway.domain.HeldInvocation;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.rest.InvokeRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
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

    private static final Logger LOG = Logger.getLogger(InvocationService.class);

    private final AgentDirectory agents;
    private final GovernanceDecisions governance;
    private final PlatformAdapters adapters;
    private final AgentSender sender;
    private final InvocationRecorder recorder;
    private final HeldInvocations held;
    private final Notifications notifications;
    private final ObjectMapper mapper;
    private final Vertx vertx;

    InvocationService(AgentDirectory agents, GovernanceDecisions governance, PlatformAdapters adapters,
            AgentSender sender, InvocationRecorder recorder, HeldInvocations held, Notifications notifications,
            ObjectMapper mapper, Vertx vertx) {
        this.notifications = notifications;
        this.agents = agents;
        this.governance = governance;
        this.adapters = adapters;
        this.sender = sender;
        this.recorder = recorder;
        this.held = held;
        this.mapper = mapper;
        this.vertx = vertx;
    }

    /**
     * An invocation and the rate-limit state to report in headers: completed, with the agent's reply, or, for an
     * asynchronous invoke, accepted (no reply yet), or held for approval ({@code approvalRequestId} set).
     */
    public record Outcome(Invocation invocation, AgentReply reply, Decision decision, String approvalRequestId) {

        public Outcome(Invocation invocation, AgentReply reply, Decision decision) {
            this(invocation, reply, decision, null);
        }
    }

    /** The approval request a resumed call was held for, and how it stands; carried into the call's events. */
    record Approval(String requestId, String status) {
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
        // the request's trace: the agent call, the events and the lineage row carry it
        CallTrace trace = CallTrace.current();
        String traceId = trace.traceId();
        String spanId = trace.spanId();
        BigDecimal estimatedCost = InvokeMetadata.estimatedCost(request.metadata());
        return agents.invocable(agentId, principal.organizationId())
                .chain(agent -> {
                    // an agent the gateway cannot deliver to is refused before governance reserves anything
                    PlatformAdapter adapter = adapters.forPlatform(agent.platform());
                    return governance.decide(decisionRequest(invocationId, agent, request, caller, estimatedCost))
                            .chain(decision -> switch (decision.outcome()) {
                                case ALLOW -> accept(adapter, agent, request, caller, decision, invocationId, traceId,
                                        spanId, started, async, recorder::accept, null);
                                case REQUIRE_APPROVAL -> hold(agent, request, caller, decision, invocationId, traceId,
                                        spanId, started);
                                default -> block(agent, caller, decision, invocationId, traceId, spanId, started, null,
                                        null).chain(() -> Uni.createFrom().failure(GovernanceProblems.of(decision,
                                                invocationId)));
                            });
                });
    }

    private static DecisionRequest decisionRequest(String invocationId, AgentDefinition agent, InvokeRequest request,
            CallerContext caller, BigDecimal estimatedCost) {
        KaizenPrincipal principal = caller.principal();
        return new DecisionRequest(invocationId, principal.organizationId(), agent.id(), caller.lineage().userId(),
                principal.subject(), principal.teamId(), List.copyOf(principal.roles()), agent.environment(),
                caller.ipAddress(), caller.country(), estimatedCost, InvokeMetadata.estimatedTokens(request.metadata()),
                agent.platform(), agent.tags(), agent.createdAt(), request.input());
    }

    /**
     * Holds a call an approval trigger stopped (DESIGN §3 step 5): approval-service opens (or finds) its request,
     * then the invocation is stored as pending approval with what executing it later needs and its
     * {@code invocation.held} event, in one transaction. Governance released the call's reservation when it asked for
     * the approval. Without approval-service the call fails closed (503), as it did before calls were held.
     */
    private Uni<Outcome> hold(AgentDefinition agent, InvokeRequest request, CallerContext caller, Decision decision,
            String invocationId, String traceId, String spanId, Instant started) {
        return held.open(invocationId, agent.id(), caller, decision, request.input())
                .onItemOrFailure().transformToUni((opened, failure) -> {
                    if (failure != null) {
                        ProblemException problem = new ProblemException(503, ErrorCode.GOVERNANCE_UNAVAILABLE,
                                "The call needs approval and approvals are unavailable; retry later")
                                .header("Retry-After", "5")
                                .with("invocation_id", invocationId)
                                .with("decision_id", decision.decisionId())
                                .header("X-Kaizen-Invocation-ID", invocationId);
                        return block(agent, caller, decision, invocationId, traceId, spanId, started, null, null)
                                .chain(() -> Uni.createFrom().failure(problem));
                    }
                    String approvalId = opened.id();
                    Approval approval = new Approval(approvalId, "pending");
                    Invocation pending = invocation(agent, caller, decision, invocationId, traceId, started);
                    pending.status = Invocation.PENDING_APPROVAL;
                    pending.mode = Invocation.ASYNC;
                    pending.completedAt = null;
                    pending.durationMs = null;
                    InvocationEvent event = event(pending, agent, caller, decision, spanId, decision.reason(), null,
                            approval);
                    // the request may be decided before the call is stored: approved as it opened (a trusted
                    // requester), or decided while this call joined it. An approved call is stored taken up and this
                    // gateway executes it after the commit, once: the approval event does not take a row taken up
                    // already (should this gateway stop, the stranded sweep does); a rejected or expired one ends
                    return held.store(pending, approvalId, request, caller, spanId, event, opened.approved())
                            .invoke(stored -> {
                                if (stored.resume() != null) {
                                    resumeLater(stored.resume());
                                }
                                if (stored.ended()) {
                                    held.wakeDeliveries();
                                }
                            })
                            .map(stored -> new Outcome(stored.invocation(), null, decision, approvalId));
                });
    }

    /**
     * Executes a held call whose approval request was approved: the agent is loaded and governance asked again
     * (policies and budget; not rate limits nor triggers), then the call is delivered as an asynchronous one, its
     * result read at {@code GET /api/v1/invocations/{id}} and posted to its {@code callback_url}. A call the
     * second decision denies ends blocked; one whose agent cannot be loaded ends failed. While governance or the
     * registry is unavailable the call stays held, and is taken up again later.
     */
    public Uni<Void> resume(HeldInvocation row) {
        return Panache.withSession(() -> Invocation.<Invocation>findById(row.invocationId))
                // taken up again after a gateway stopped: its outcome may be recorded already
                .chain(pending -> pending == null || !Invocation.PENDING_APPROVAL.equals(pending.status)
                        ? held.release(row)
                        : agents.invocable(row.agentId, row.organizationId).chain(agent -> execute(row, pending, agent)))
                .onFailure(HeldInvocations.AlreadyResumed.class).recoverWithNull()
                .onFailure(InvocationService::passing).recoverWithUni(e -> {
                    LOG.warnf("approved invocation %s stays held: %s", row.invocationId, e.getMessage());
                    return Uni.createFrom().voidItem();
                })
                .onFailure().recoverWithUni(e -> {
                    String code = e instanceof ProblemException problem ? problem.errorCode().name()
                            : ErrorCode.INTERNAL_ERROR.name();
                    LOG.warnf("approved invocation %s could not be executed: %s", row.invocationId, code);
                    return held.end(row, new HeldInvocations.Ending(Invocation.FAILURE, code,
                            "The approved call could not be executed: "
                                    + (e instanceof ProblemException ? e.getMessage() : "internal error"), "approved"));
                });
    }

    /** Executes an approved call on a context of its own, after the caller's commit; its outcome is recorded. */
    private void resumeLater(HeldInvocation row) {
        DetachedContext.run(vertx, () -> resume(row)).subscribe().with(done -> { }, e -> LOG.warnf(
                "approved invocation %s was not recorded: %s", row.invocationId, e.getClass().getSimpleName()));
    }

    private Uni<Void> execute(HeldInvocation row, Invocation pending, AgentDefinition agent) {
        InvokeRequest request = held.request(row);
        CallerContext caller = held.caller(row);
        Approval approval = new Approval(row.approvalRequestId, "approved");
        Instant started = Instant.now();
        BigDecimal estimatedCost = InvokeMetadata.estimatedCost(request.metadata());
        return governance.decide(decisionRequest(row.invocationId, agent, request, caller, estimatedCost)
                        .approved(row.approvalRequestId))
                .chain(decision -> switch (decision.outcome()) {
                    case ALLOW -> accept(adapters.forPlatform(agent.platform()), agent, request, caller, decision,
                            row.invocationId, pending.traceId, row.spanId, started, true, held::replace, approval)
                            .replaceWithVoid()
                            // another resumption stored the call first and runs it: what this one reserved is
                            // given back, so nothing stays reserved for a call that does not run
                            .onFailure(HeldInvocations.AlreadyResumed.class).call(e -> governance.release(
                                    decision.reservationId(), row.invocationId));
                    case UNAVAILABLE -> Uni.createFrom().failure(new ProblemException(503,
                            ErrorCode.GOVERNANCE_UNAVAILABLE, "governance is unavailable"));
                    default -> block(agent, caller, decision, row.invocationId, pending.traceId, row.spanId, started,
                            ResultCallback.of(mapper, request.callbackUrl(), row.approvalRequestId), approval)
                            .call(() -> held.release(row))
                            .replaceWithVoid();
                });
    }

    /** A failure that passes: the service that answered it is unavailable for now. */
    private static boolean passing(Throwable e) {
        return e instanceof ProblemException problem && problem.status() == 503;
    }

    /**
     * Stores the allowed call as accepted before the agent is called, with the failure event to publish should
     * the gateway stop before the agent answers; then delivers it, in the background when asynchronous.
     */
    private Uni<Outcome> accept(PlatformAdapter adapter, AgentDefinition agent, InvokeRequest request,
            CallerContext caller, Decision decision, String invocationId, String traceId, String spanId, Instant started,
            boolean async, Function<Invocation, Uni<Invocation>> store, Approval approval) {
        Invocation accepted = invocation(agent, caller, decision, invocationId, traceId, started);
        accepted.status = Invocation.ACCEPTED;
        accepted.mode = async ? Invocation.ASYNC : Invocation.SYNC;
        accepted.completedAt = null;
        accepted.durationMs = null;
        accepted.deadline = started.plusSeconds(agent.timeoutSeconds()).plus(InvocationSweep.MARGIN);
        accepted.pendingEvent = overdueEvent(accepted, agent, caller, decision, spanId, approval);
        return store.apply(accepted).chain(stored -> {
            if (!async) {
                return deliver(adapter, agent, request, caller, decision, invocationId, traceId, spanId, started, false,
                        approval);
            }
            // the caller has its answer; the outcome is recorded (and read at GET /api/v1/invocations/{id})
            DetachedContext.run(vertx, () -> deliver(adapter, agent, request, caller, decision, invocationId, traceId,
                    spanId, started, true, approval)).subscribe().with(done -> { }, failure -> {
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

    /** The {@code invocation.failed} event of an accepted call closed because the gateway stopped mid-call. */
    private String overdueEvent(Invocation accepted, AgentDefinition agent, CallerContext caller, Decision decision,
            String spanId, Approval approval) {
        Invocation failed = invocation(agent, caller, decision, accepted.id, accepted.traceId, accepted.createdAt);
        failed.status = Invocation.FAILURE;
        failed.errorCode = InvocationEvent.OUTCOME_UNKNOWN;
        failed.costUsd = null;
        failed.completedAt = accepted.deadline;
        failed.durationMs = Duration.between(accepted.createdAt, accepted.deadline).toMillis();
        try {
            return mapper.writeValueAsString(event(failed, agent, caller, decision, spanId, InvocationSweep.REASON, null,
                    approval));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invocation event is not serialisable", e);
        }
    }

    private Uni<Outcome> deliver(PlatformAdapter adapter, AgentDefinition agent, InvokeRequest request,
            CallerContext caller, Decision decision, String invocationId, String traceId, String spanId,
            Instant started, boolean async, Approval approval) {
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
                                event(invocation, agent, caller, decision, spanId, null, reply.reportedCostUsd(),
                                        approval),
                                ResultCallback.of(mapper, request.callbackUrl(), approvalId(approval))
                                        .apply(invocation, reply.output()),
                                notifications.invocationOutcome(agent, invocation, reply.output()))
                                .map(saved -> new Outcome(saved, reply, decision));
                    }
                    UpstreamException upstream = failure instanceof UpstreamException u ? u
                            : new UpstreamException("agent call failed", false, null);
                    invocation.status = upstream.timeout() ? Invocation.TIMEOUT : Invocation.FAILURE;
                    invocation.errorCode = (upstream.timeout() ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_ERROR).name();
                    invocation.responseStatusCode = upstream.statusCode();
                    invocation.errorMessage = Invocation.errorMessage(upstream.getMessage());
                    // The agent was never reached or returned no usable answer: nothing is charged.
                    invocation.costUsd = BigDecimal.ZERO;
                    return recorder.record(invocation, EventTypes.INVOCATION_FAILED,
                            event(invocation, agent, caller, decision, spanId, upstream.getMessage(), null, approval),
                            ResultCallback.of(mapper, request.callbackUrl(), approvalId(approval))
                                    .apply(invocation, null),
                            notifications.invocationOutcome(agent, invocation, null))
                            .chain(saved -> Uni.createFrom().failure(upstreamProblem(upstream, invocationId)));
                });
    }

    /** Records a refused call; {@code callback} (a resumed call's) posts the refusal to its callback URL. */
    private Uni<Invocation> block(AgentDefinition agent, CallerContext caller, Decision decision, String invocationId,
            String traceId, String spanId, Instant started, ResultCallback callback, Approval approval) {
        Invocation invocation = invocation(agent, caller, decision, invocationId, traceId, started);
        invocation.status = Invocation.BLOCKED;
        invocation.errorCode = GovernanceProblems.errorCode(decision).name();
        invocation.costUsd = BigDecimal.ZERO;
        return recorder.record(invocation, EventTypes.INVOCATION_BLOCKED,
                event(invocation, agent, caller, decision, spanId, decision.reason(), null, approval),
                callback == null ? null : callback.apply(invocation, null));
    }

    private static String approvalId(Approval approval) {
        return approval == null ? null : approval.requestId();
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
            Decision decision, String spanId, String errorMessage, BigDecimal reportedCost, Approval approval) {
        LineageHeaders lineage = caller.lineage();
        KaizenPrincipal principal = caller.principal();
        BudgetRemaining budget = BudgetRemaining.of(decision.budget(), decision.reservationId());
        return new InvocationEvent(invocation.id, invocation.organizationId, invocation.status,
                new InvocationEvent.ExternalUser(lineage.userId(), lineage.userEmail(), lineage.userName(), null),
                new InvocationEvent.ExternalSystem(lineage.system(), lineage.sessionId(), lineage.traceId(),
                        lineage.context()),
                new InvocationEvent.KaizenAuth(principal.method(), principal.subject(), principal.apiKeyId(),
                        principal.apiKeyPrefix(), principal.organizationId(), principal.teamId()),
                new InvocationEvent.Agent(agent.id(), agent.name(), agent.platform(), EndpointDisplay.of(agent), null),
                new InvocationEvent.Trace(invocation.traceId, spanId, lineage.traceId()),
                new InvocationEvent.RequestContext(caller.ipAddress(), caller.userAgent(), invocation.createdAt,
                        caller.headers()),
                new InvocationEvent.Governance(decision.outcome().name(), decision.decisionId(), decision.reason(),
                        decision.reservationId(), approvalId(approval), approval == null ? null : approval.status(),
                        decision.policy() == null ? null : decision.policy().policyId(),
                        budget == null ? null : budget.before(), budget == null ? null : budget.after(),
                        decision.rateLimit() == null ? null : decision.rateLimit().remaining(),
                        decision.policy() == null ? null : decision.policy().matchedPolicies(),
                        decision.policy() == null ? null : decision.policy().policyVersions()),
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
}
