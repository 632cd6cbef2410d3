package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.jboss.logging.Logger;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.governance.Decision.BudgetState;
import io.kaizen.common.governance.Decision.Outcome;
import io.kaizen.common.governance.Decision.PolicyResult;
import io.kaizen.common.governance.Decision.PolicyVersion;
import io.kaizen.common.governance.Decision.RateLimitState;
import io.kaizen.common.governance.Decision.TriggerMatch;
import io.kaizen.common.governance.DecisionRequest;
import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.TextLength;
import io.kaizen.common.tracing.TraceContext;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetScopes;
import io.kaizen.governance.budget.BudgetReservations;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.budget.BudgetReservations.Hold;
import io.kaizen.governance.journal.DecisionJournal;
import io.kaizen.governance.journal.JournalEntry;
import io.kaizen.governance.policy.PolicyContext;
import io.kaizen.governance.policy.PolicyEvaluation;
import io.kaizen.governance.policy.PolicyEvaluator;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.trigger.ApprovalTriggerEvaluator;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;
import io.kaizen.governance.trigger.TriggerInput;
import io.kaizen.governance.trigger.FirstInvocations;
import io.kaizen.governance.trigger.UserActivityCounter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Decides one invocation (DESIGN §3 step 4): ABAC policies (no side effects) → rate limits (atomic, counts the
 * attempt) → budget reservation (atomic) → approval triggers, stopping at the first denial. Budgets fail closed
 * when Redis is unreachable, rate limits as configured; when governance's own database is unreachable the
 * decision is UNAVAILABLE. A call resumed after its approval ({@code approved_request_id}) is checked against
 * policies and budget again, not against rate limits (it was counted when held) nor approval triggers, once
 * {@link ApprovalVerifier} confirmed with approval-service that the request approved this very call; an approval it
 * does not confirm is ignored (the normal decision), one it cannot check makes the decision UNAVAILABLE. Rate limits,
 * the agent's budget hold and its reservation row are one Lua call on the agent's keys; the organisation's budget is a second when it has one. Nothing is written to PostgreSQL on this path:
 * every decision ends with one entry on its agent's journal in Redis (its audit event, and the reservation it gave
 * back, if any), written before the answer and group-committed to PostgreSQL by {@link DecisionJournal}.
 */
@ApplicationScoped
public class DecisionService {

    private static final Logger LOG = Logger.getLogger(DecisionService.class);
    private static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("kaizen.decision.id");
    private static final AttributeKey<String> INVOCATION_ID = AttributeKey.stringKey("kaizen.invocation.id");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("kaizen.decision.outcome");
    static final String RESERVATION = "res";

    private final GovernanceSnapshots snapshots;
    private final BudgetReservations budgets;
    private final UserActivityCounter userActivity;
    private final FirstInvocations firstInvocations;
    private final DecisionJournal journal;
    private final GovernanceConfig config;
    private final ApprovalVerifier approvals;
    private final GovernanceMetrics metrics;

    DecisionService(GovernanceSnapshots snapshots, BudgetReservations budgets, UserActivityCounter userActivity,
            FirstInvocations firstInvocations, DecisionJournal journal, GovernanceConfig config,
            ApprovalVerifier approvals, GovernanceMetrics metrics) {
        this.approvals = approvals;
        this.metrics = metrics;
        this.snapshots = snapshots;
        this.budgets = budgets;
        this.userActivity = userActivity;
        this.firstInvocations = firstInvocations;
        this.journal = journal;
        this.config = config;
    }

    /** What is known about the decision so far, step by step. */
    private record Progress(DecisionRequest request, String decisionId, Instant now, EffectiveGovernance governance,
            PolicyEvaluation policy, RateLimitState rate, boolean rateFailOpen, long estimateMicros, boolean approved,
            TraceContext trace) {

        Progress rate(RateLimitState state, boolean failOpen) {
            return new Progress(request, decisionId, now, governance, policy, state, failOpen, estimateMicros,
                    approved, trace);
        }

        /** The call resumes after approval-service approved this very call (the claim was verified). */
        Progress verified() {
            return new Progress(request, decisionId, now, governance, policy, rate, rateFailOpen, estimateMicros,
                    true, trace);
        }
    }

    public Uni<Decision> decide(DecisionRequest request) {
        long started = System.nanoTime();
        validate(request);
        String decisionId = PrefixedId.next(PrefixedId.DECISION);
        Instant now = Instant.now();
        // the request's span (of the invoke's trace) names the decision it made, so a trace shows its decision
        Span span = Span.current();
        // the decision's event is of the request's trace, whichever context the store's answers come back on
        TraceContext trace = TraceContext.current();
        span.setAttribute(DECISION_ID, decisionId);
        span.setAttribute(INVOCATION_ID, request.invocationId());
        return snapshots.agent(request.agentId(), request.organizationId())
                .onFailure().transform(StoreUnavailable::new)
                .chain(governance -> {
                    if (!governance.organizationId().equals(request.organizationId()) || governance.deleted()) {
                        throw ProblemException.notFound("External agent " + request.agentId()
                                + " does not exist or you don't have access");
                    }
                    // a caller's estimate may raise what is reserved, never lower it below the configured cost
                    long estimateMicros = Math.max(Money.estimateMicros(governance.costPerExecution()),
                            request.estimatedCost() == null ? 0 : Money.estimateMicros(request.estimatedCost()));
                    long evaluating = System.nanoTime();
                    PolicyEvaluation policy = PolicyEvaluator.evaluate(governance.organization().policies(),
                            governance.organization().strategy(), governance.organization().defaultEffect(),
                            context(request, governance, Money.usd(estimateMicros), now));
                    metrics.policyEvaluated(System.nanoTime() - evaluating);
                    Progress progress = new Progress(request, decisionId, now, governance, policy, null, false,
                            estimateMicros, false, trace);
                    if (policy.denied()) {
                        return finish(progress, Outcome.DENY_POLICY, policy.reason(), null, null, List.of(), null);
                    }
                    return approvals.verify(request).chain(verdict -> switch (verdict) {
                        case APPROVED -> admit(progress.verified());
                        case UNAVAILABLE -> finish(progress, Outcome.UNAVAILABLE,
                                "The approval could not be verified: approvals unavailable", null, null, List.of(),
                                null);
                        // no claim, or one approval-service does not back: the normal decision, triggers included
                        case NONE, REFUSED -> admit(progress);
                    });
                })
                .onFailure(StoreUnavailable.class).recoverWithItem(e -> {
                    LOG.warnf("governance store unreachable: %s", e.getCause().getMessage());
                    return Decision.of(decisionId, Outcome.UNAVAILABLE, "Governance store unavailable");
                })
                // the metrics come from the answer itself: no further Redis or database call
                .invoke(decision -> {
                    span.setAttribute(OUTCOME, decision.outcome().name());
                    metrics.decided(request.agentId(), decision, started);
                });
    }

    /** The agent's side in one Redis call: rate windows, budget hold and the reservation's journal entry. */
    private Uni<Decision> admit(Progress progress) {
        EffectiveGovernance governance = progress.governance();
        JournalEntry.Reservation row = reservation(progress, PrefixedId.next(RESERVATION));
        // an approved call was counted by the rate limits when it was held; it is not counted again
        List<RateLimitWindow> windows = progress.approved() ? List.of() : governance.windows(config);
        return budgets.admit(governance, progress.request().userId(), progress.decisionId(), windows,
                        row.id(), progress.estimateMicros(), progress.now(), journal.json(JournalEntry.of(row)))
                .onItemOrFailure().transformToUni((admission, failure) -> {
                    if (failure != null) {
                        return storeFailed(progress, row, failure);
                    }
                    Progress limited = progress.rate(admission.rate().state(), false);
                    if (!admission.rate().admitted()) {
                        String window = admission.rate().deniedWindow();
                        String per = window.equals("user_minute") ? " per minute for this user" : " per " + window;
                        return finish(limited, Outcome.DENY_RATE, "Rate limit exceeded: "
                                + admission.rate().state().limit() + " requests" + per, null, null, List.of(), null);
                    }
                    Hold hold = admission.hold();
                    if (!hold.admitted()) {
                        return finish(limited, Outcome.DENY_BUDGET, BudgetScopes.reason(hold.state()), null,
                                hold.state(), List.of(), null);
                    }
                    return organization(limited, row, hold);
                });
    }

    /**
     * Redis failed the agent's step. Rate limits fail as configured; budgets fail closed unless there is nothing to
     * enforce. The step may have run before the failure reached us, so a hold it may have left is given back.
     */
    private Uni<Decision> storeFailed(Progress progress, JournalEntry.Reservation row, Throwable failure) {
        EffectiveGovernance governance = progress.governance();
        boolean failOpen = config.rateLimit().failOpen();
        LOG.warnf("rate-limit and budget store unreachable (%s); rate limits fail %s", failure.getMessage(),
                failOpen ? "open" : "closed");
        if (failOpen && governance.budget().unlimited() && governance.organization().monthlyBudgetMicros() < 0) {
            // nothing to enforce: the ledger records the call, tallies catch up when rebuilt
            return triggers(progress.rate(null, true), row, new Hold(true, false, null), false);
        }
        Progress failed = failOpen ? progress.rate(null, true) : progress;
        String reason = failOpen ? "Budget store unavailable" : "Rate-limit store unavailable";
        return releaseIf(true, failed, row.id(), new Hold(true, false, null)).onFailure().recoverWithNull()
                .chain(() -> finish(failed, Outcome.UNAVAILABLE, reason, null, null, List.of(), row.id()));
    }

    /** The organisation's side, when it has a budget: a separate Redis call on the organisation's own tally. */
    private Uni<Decision> organization(Progress progress, JournalEntry.Reservation row, Hold agentHold) {
        return budgets.reserveOrganization(progress.governance(), row.id(), progress.estimateMicros(), agentHold,
                        progress.now())
                .onItemOrFailure().transformToUni((hold, failure) -> {
                    if (failure != null) {
                        LOG.warnf("budget store unreachable: %s", failure.getMessage());
                        return finish(progress, Outcome.UNAVAILABLE, "Budget store unavailable", null, null, List.of(),
                                row.id());
                    }
                    if (!hold.admitted()) {
                        return finish(progress, Outcome.DENY_BUDGET, BudgetScopes.reason(hold.state()), null,
                                hold.state(), List.of(), row.id());
                    }
                    return triggers(progress, row, hold, true);
                });
    }

    /** {@code held}: the reservation is journaled and held on the tallies (else the allow journals it itself). */
    private Uni<Decision> triggers(Progress progress, JournalEntry.Reservation row, Hold hold, boolean held) {
        EffectiveGovernance governance = progress.governance();
        DecisionRequest request = progress.request();
        ApprovalTriggerSettings settings = governance.triggers();
        String userId = request.userId();
        String released = held ? row.id() : null;
        if (progress.approved()) {
            // a human approved this call: the triggers that asked for the approval are not asked again
            return allow(progress, row, hold, held);
        }
        Uni<Long> prior = settings.countsUserRate() && userId != null
                ? userActivity.recordAndCountPrior(governance.agentId(), userId, progress.decisionId(),
                        Duration.ofSeconds(settings.rateWindowSeconds()))
                : Uni.createFrom().nullItem();
        return prior.chain(count -> (settings.checksFirstInvocation() && userId != null
                        ? firstInvocations.first(governance.agentId(), userId) : Uni.createFrom().<Boolean>nullItem())
                        .map(first -> new TriggerInput(Money.usd(progress.estimateMicros()), request.tokens(),
                                request.input(), environment(request, governance), userId, count, first,
                                request.agentCreatedAt() != null ? request.agentCreatedAt() : governance.agentCreatedAt(),
                                progress.now())))
                .map(input -> ApprovalTriggerEvaluator.evaluate(settings, input))
                .chain(matches -> {
                    if (!matches.isEmpty()) {
                        return releaseIf(held, progress, row.id(), hold)
                                .chain(() -> finish(progress, Outcome.REQUIRE_APPROVAL,
                                        ApprovalTriggerEvaluator.reason(matches), null, hold.state(), matches, released));
                    }
                    return allow(progress, row, hold, held);
                })
                .onFailure(e -> !(e instanceof ProblemException)).recoverWithUni(e -> {
                    LOG.warnf("decision %s could not complete: %s", progress.decisionId(), e.getMessage());
                    return releaseIf(held, progress, row.id(), hold).onFailure().recoverWithNull()
                            .chain(() -> finish(progress, Outcome.UNAVAILABLE, "Governance store unavailable", null,
                                    null, List.of(), released));
                });
    }

    /**
     * Journals the decision's event and the user's use of the agent before answering; a failure here gives the hold
     * back (see {@link #triggers}). A use this replica has journaled before is not journaled again, so the usual
     * allowed call, whose ledger row the decision's script journaled and which has no event of its own, answers
     * without a second Redis call.
     */
    private Uni<Decision> allow(Progress progress, JournalEntry.Reservation row, Hold hold, boolean held) {
        DecisionRequest request = progress.request();
        Decision decision = decision(progress, Outcome.ALLOW, null, row.id(), hold.state(), List.of());
        String userId = request.userId();
        boolean firstUse = userId != null && !firstInvocations.journaled(request.agentId(), userId);
        JournalEntry entry = new JournalEntry(held ? null : row, null,
                firstUse ? new JournalEntry.Seen(request.agentId(), userId, progress.now()) : null,
                event(progress, decision));
        if (entry.reservation() == null && entry.seen() == null && entry.event() == null) {
            return Uni.createFrom().item(decision);
        }
        return journal.append(request.agentId(), entry)
                .invoke(() -> {
                    if (firstUse) {
                        firstInvocations.journaledNow(request.agentId(), userId);
                    }
                })
                .replaceWith(decision);
    }

    private JournalEntry.Reservation reservation(Progress progress, String reservationId) {
        DecisionRequest request = progress.request();
        // the same periods as the hold's lines (BudgetReservations#admit): same time, same time zone
        List<BudgetPeriod> periods = BudgetPeriod.at(progress.now(), progress.governance().organization().timeZone());
        return new JournalEntry.Reservation(reservationId, request.organizationId(), request.agentId(),
                request.userId(), progress.decisionId(), request.invocationId(), Money.usd(progress.estimateMicros()),
                Money.usd(progress.governance().costPerExecution()), periods.get(0).start(), periods.get(1).start(),
                periods.get(2).start(),
                // the organisation's hold is taken after this row is journaled; a refused one releases the row
                progress.governance().organization().monthlyBudgetMicros() >= 0, progress.now());
    }

    private Uni<Void> releaseIf(boolean held, Progress progress, String reservationId, Hold hold) {
        if (!held) {
            return Uni.createFrom().voidItem();
        }
        return budgets.release(progress.governance(), reservationId, hold.organizationReserved(), progress.now());
    }

    /**
     * Builds the decision and journals its event (and the reservation it {@code released}, if any) before answering;
     * a denial stands even when its event cannot be written.
     */
    private Uni<Decision> finish(Progress progress, Outcome outcome, String reason, String reservationId,
            BudgetState budget, List<TriggerMatch> triggers, String released) {
        Decision decision = decision(progress, outcome, reason, reservationId, budget, triggers);
        return journal.append(progress.request().agentId(), new JournalEntry(null, released, null,
                        event(progress, decision)))
                .onFailure().invoke(e -> LOG.warnf("decision event %s not recorded: %s", decision.decisionId(),
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWith(decision);
    }

    private static Decision decision(Progress progress, Outcome outcome, String reason, String reservationId,
            BudgetState budget, List<TriggerMatch> triggers) {
        PolicyEvaluation policy = progress.policy();
        List<PolicyVersion> versions = policy.policies().stream().filter(p -> p.enabled())
                .map(p -> new PolicyVersion(p.policyId(), p.version())).toList();
        PolicyResult policyResult = new PolicyResult(policy.effect().wire(), policy.decidingPolicyId(),
                policy.matchedPolicies(), versions, policy.defaultEffectApplied());
        BigDecimal estimate = outcome == Outcome.DENY_POLICY ? null : Money.usd(progress.estimateMicros());
        return new Decision(progress.decisionId(), outcome, reason, reservationId, estimate, progress.rate(),
                progress.rateFailOpen(), policyResult, budget, triggers,
                Money.usd(progress.governance().costPerExecution()), progress.governance().budget().tokenRates());
    }

    /**
     * The decision's event, or null for an {@code ALLOW}: an allowed call's decision (id, deciding policy, policy
     * versions, reservation) travels in the call's own {@code invocation.*} event, which lineage audits, so a second
     * event per invoke would only double the work of every consumer (DESIGN §4 lists no event for it).
     */
    private JournalEntry.Event event(Progress progress, Decision decision) {
        if (decision.outcome() == Outcome.ALLOW) {
            return null;
        }
        DecisionRequest request = progress.request();
        boolean denied = decision.outcome() == Outcome.DENY_POLICY || decision.outcome() == Outcome.DENY_RATE
                || decision.outcome() == Outcome.DENY_BUDGET;
        GovernanceDecisionEvent data = new GovernanceDecisionEvent(decision.decisionId(), request.organizationId(),
                request.agentId(), request.invocationId(), request.userId(), decision.outcome().name(),
                decision.reason(), decision.policy().policyId(), decision.policy().matchedPolicies(),
                decision.policy().policyVersions(), decision.reservationId(), decision.estimatedCost(),
                denied ? decision.rateLimit() : null, denied ? decision.budget() : null, decision.approvalTriggers(),
                progress.now());
        return journal.event(Topics.GOVERNANCE, denied ? EventTypes.DECISION_DENIED : EventTypes.DECISION_EVALUATED,
                request.agentId(), request.organizationId(), data, progress.trace());
    }

    private static PolicyContext context(DecisionRequest request, EffectiveGovernance governance, BigDecimal estimate,
            Instant now) {
        return new PolicyContext(request.organizationId(), request.agentId(),
                request.platform() != null ? request.platform() : governance.platform(),
                request.tags() != null ? request.tags() : governance.tags(),
                environment(request, governance), request.userId(), request.subject(), request.roles(),
                request.teamId(), request.ip(), request.country(), estimate, request.tokens(), now);
    }

    private static String environment(DecisionRequest request, EffectiveGovernance governance) {
        return request.environment() != null ? request.environment() : governance.environment();
    }

    private static void validate(DecisionRequest request) {
        if (request.agentId() == null || request.agentId().isBlank() || request.organizationId() == null
                || request.organizationId().isBlank()) {
            throw ProblemException.validation("agent_id and organization_id are required");
        }
        // what the reservation and the ledger store: a longer value would be refused when the journal writes it
        if (!PrefixedId.isValid(PrefixedId.AGENT, request.agentId())) {
            throw ProblemException.validation("agent_id must be an external agent id").with("field", "agent_id");
        }
        bounded("organization_id", request.organizationId(), DecisionRequest.MAX_NAME);
        bounded("user_id", request.userId(), DecisionRequest.MAX_NAME);
        bounded("invocation_id", request.invocationId(), DecisionRequest.MAX_ID);
        bounded("approved_request_id", request.approvedRequestId(), DecisionRequest.MAX_ID);
        BigDecimal estimate = request.estimatedCost();
        if (estimate != null && !UsdAmount.inRange(estimate)) {
            throw ProblemException.validation("estimated_cost must be a number between 0 and "
                    + UsdAmount.MAX.toPlainString()).with("field", "estimated_cost");
        }
        if (request.tokens() != null && request.tokens() < 0) {
            throw ProblemException.validation("tokens must not be negative").with("field", "tokens");
        }
        if (request.roles() != null && request.roles().stream().anyMatch(Objects::isNull)) {
            throw ProblemException.validation("roles must not hold null").with("field", "roles");
        }
        if (request.tags() != null && request.tags().stream().anyMatch(Objects::isNull)) {
            throw ProblemException.validation("tags must not hold null").with("field", "tags");
        }
    }

    private static void bounded(String field, String value, int most) {
        if (value != null && TextLength.of(value) > most) {
            throw ProblemException.validation(field + " must be at most " + most + " characters").with("field", field);
        }
    }

    /** Governance's own database failed; the decision fails closed. */
    private static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(Throwable cause) {
            super(cause);
        }
    }
}
