package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jboss.logging.Logger;

import io.kaizen.common.events.GovernanceDecisionEvent;
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
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetScopes;
import io.kaizen.governance.budget.BudgetReservations;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.policy.PolicyContext;
import io.kaizen.governance.policy.PolicyEvaluation;
import io.kaizen.governance.policy.PolicyEvaluator;
import io.kaizen.governance.ratelimit.SlidingWindowRateLimiter;
import io.kaizen.governance.trigger.ApprovalTriggerEvaluator;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;
import io.kaizen.governance.trigger.TriggerInput;
import io.kaizen.governance.trigger.UserActivityCounter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Decides one invocation (DESIGN §3 step 4): ABAC policies (no side effects) → rate limits (atomic, counts the
 * attempt) → budget reservation (atomic) → approval triggers, stopping at the first denial. Budgets fail closed
 * when Redis is unreachable, rate limits as configured; when governance's own database is unreachable the
 * decision is UNAVAILABLE. Every decision leaves an audit event.
 */
@ApplicationScoped
public class DecisionService {

    private static final Logger LOG = Logger.getLogger(DecisionService.class);
    static final String RESERVATION = "res";

    private final GovernanceSnapshots snapshots;
    private final SlidingWindowRateLimiter rateLimiter;
    private final BudgetReservations budgets;
    private final UserActivityCounter userActivity;
    private final DecisionRecorder recorder;
    private final GovernanceConfig config;

    DecisionService(GovernanceSnapshots snapshots, SlidingWindowRateLimiter rateLimiter, BudgetReservations budgets,
            UserActivityCounter userActivity, DecisionRecorder recorder, GovernanceConfig config) {
        this.snapshots = snapshots;
        this.rateLimiter = rateLimiter;
        this.budgets = budgets;
        this.userActivity = userActivity;
        this.recorder = recorder;
        this.config = config;
    }

    /** What is known about the decision so far, step by step. */
    private record Progress(DecisionRequest request, String decisionId, Instant now, EffectiveGovernance governance,
            PolicyEvaluation policy, RateLimitState rate, boolean rateFailOpen, long estimateMicros) {

        Progress rate(RateLimitState state, boolean failOpen) {
            return new Progress(request, decisionId, now, governance, policy, state, failOpen, estimateMicros);
        }
    }

    public Uni<Decision> decide(DecisionRequest request) {
        validate(request);
        String decisionId = PrefixedId.next(PrefixedId.DECISION);
        Instant now = Instant.now();
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
                    PolicyEvaluation policy = PolicyEvaluator.evaluate(governance.organization().policies(),
                            governance.organization().strategy(), governance.organization().defaultEffect(),
                            context(request, governance, Money.usd(estimateMicros), now));
                    Progress progress = new Progress(request, decisionId, now, governance, policy, null, false,
                            estimateMicros);
                    if (policy.denied()) {
                        return finish(progress, Outcome.DENY_POLICY, policy.reason(), null, null, List.of());
                    }
                    return rateLimit(progress);
                })
                .onFailure(StoreUnavailable.class).recoverWithItem(e -> {
                    LOG.warnf("governance store unreachable: %s", e.getCause().getMessage());
                    return Decision.of(decisionId, Outcome.UNAVAILABLE, "Governance store unavailable");
                });
    }

    private Uni<Decision> rateLimit(Progress progress) {
        EffectiveGovernance governance = progress.governance();
        return rateLimiter.acquire(governance.agentId(), progress.request().userId(), progress.decisionId(),
                        governance.windows(config))
                .onItemOrFailure().transformToUni((result, failure) -> {
                    if (failure != null) {
                        LOG.warnf("rate-limit store unreachable (%s); failing %s", failure.getMessage(),
                                config.rateLimit().failOpen() ? "open" : "closed");
                        return config.rateLimit().failOpen() ? budget(progress.rate(null, true))
                                : finish(progress, Outcome.UNAVAILABLE, "Rate-limit store unavailable", null, null,
                                        List.of());
                    }
                    Progress limited = progress.rate(result.state(), false);
                    if (!result.admitted()) {
                        String per = result.deniedWindow().equals("user_minute") ? " per minute for this user"
                                : " per " + result.deniedWindow();
                        return finish(limited, Outcome.DENY_RATE, "Rate limit exceeded: " + result.state().limit()
                                + " requests" + per, null, null, List.of());
                    }
                    return budget(limited);
                });
    }

    private Uni<Decision> budget(Progress progress) {
        EffectiveGovernance governance = progress.governance();
        String reservationId = PrefixedId.next(RESERVATION);
        return budgets.reserve(governance, reservationId, progress.estimateMicros(), progress.now())
                .onItemOrFailure().transformToUni((hold, failure) -> {
                    if (failure != null) {
                        LOG.warnf("budget store unreachable: %s", failure.getMessage());
                        if (governance.budget().unlimited() && governance.organization().monthlyBudgetMicros() < 0) {
                            // nothing to enforce: the ledger records the call, tallies catch up when rebuilt
                            return triggers(progress, reservationId, new BudgetReservations.Hold(true, false, null), false);
                        }
                        return finish(progress, Outcome.UNAVAILABLE, "Budget store unavailable", null, null, List.of());
                    }
                    if (!hold.admitted()) {
                        return finish(progress, Outcome.DENY_BUDGET, BudgetScopes.reason(hold.state()), null,
                                hold.state(), List.of());
                    }
                    return triggers(progress, reservationId, hold, true);
                });
    }

    private Uni<Decision> triggers(Progress progress, String reservationId, BudgetReservations.Hold hold, boolean held) {
        EffectiveGovernance governance = progress.governance();
        DecisionRequest request = progress.request();
        ApprovalTriggerSettings settings = governance.triggers();
        String userId = request.userId();
        Uni<Long> prior = settings.countsUserRate() && userId != null
                ? userActivity.recordAndCountPrior(governance.agentId(), userId, progress.decisionId(),
                        Duration.ofSeconds(settings.rateWindowSeconds()))
                : Uni.createFrom().nullItem();
        return prior.chain(count -> (settings.checksFirstInvocation() && userId != null
                        ? recorder.firstInvocation(governance.agentId(), userId) : Uni.createFrom().<Boolean>nullItem())
                        .map(first -> new TriggerInput(Money.usd(progress.estimateMicros()), request.tokens(),
                                request.input(), environment(request, governance), userId, count, first,
                                request.agentCreatedAt() != null ? request.agentCreatedAt() : governance.agentCreatedAt(),
                                progress.now())))
                .map(input -> ApprovalTriggerEvaluator.evaluate(settings, input))
                .chain(matches -> {
                    if (!matches.isEmpty()) {
                        return releaseIf(held, progress, reservationId, hold)
                                .chain(() -> finish(progress, Outcome.REQUIRE_APPROVAL,
                                        ApprovalTriggerEvaluator.reason(matches), null, hold.state(), matches));
                    }
                    return allow(progress, reservationId, hold);
                })
                .onFailure(e -> !(e instanceof ProblemException)).recoverWithUni(e -> {
                    LOG.warnf("decision %s could not complete: %s", progress.decisionId(), e.getMessage());
                    return releaseIf(held, progress, reservationId, hold).onFailure().recoverWithNull()
                            .replaceWith(decision(progress, Outcome.UNAVAILABLE, "Governance store unavailable", null,
                                    null, List.of()));
                });
    }

    private Uni<Decision> allow(Progress progress, String reservationId, BudgetReservations.Hold hold) {
        DecisionRequest request = progress.request();
        BudgetReservation row = new BudgetReservation();
        row.id = reservationId;
        row.organizationId = request.organizationId();
        row.agentId = request.agentId();
        row.userId = request.userId();
        row.decisionId = progress.decisionId();
        row.invocationId = request.invocationId();
        row.estimateUsd = Money.usd(progress.estimateMicros());
        row.configuredCostUsd = Money.usd(progress.governance().costPerExecution());
        row.status = BudgetReservation.RESERVED;
        row.monthStart = BudgetPeriod.month(progress.now()).start();
        row.dayStart = BudgetPeriod.day(progress.now()).start();
        row.orgReserved = hold.organizationReserved();
        row.tallySynced = true;
        row.reservedAt = progress.now();
        Decision decision = decision(progress, Outcome.ALLOW, null, reservationId, hold.state(), List.of());
        return recorder.allowed(row, event(progress, decision)).replaceWith(decision);
    }

    private Uni<Void> releaseIf(boolean held, Progress progress, String reservationId, BudgetReservations.Hold hold) {
        if (!held) {
            return Uni.createFrom().voidItem();
        }
        return budgets.release(progress.request().agentId(), progress.request().organizationId(), reservationId,
                hold.organizationReserved(), progress.now());
    }

    /** Builds the decision and records its event; a denial stands even when its event cannot be written. */
    private Uni<Decision> finish(Progress progress, Outcome outcome, String reason, String reservationId,
            BudgetState budget, List<TriggerMatch> triggers) {
        Decision decision = decision(progress, outcome, reason, reservationId, budget, triggers);
        boolean denied = outcome == Outcome.DENY_POLICY || outcome == Outcome.DENY_RATE || outcome == Outcome.DENY_BUDGET;
        return recorder.decided(event(progress, decision), denied)
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

    private static GovernanceDecisionEvent event(Progress progress, Decision decision) {
        DecisionRequest request = progress.request();
        boolean light = decision.outcome() == Outcome.ALLOW;
        return new GovernanceDecisionEvent(decision.decisionId(), request.organizationId(), request.agentId(),
                request.invocationId(), request.userId(), decision.outcome().name(), decision.reason(),
                decision.policy().policyId(), decision.policy().matchedPolicies(), decision.policy().policyVersions(),
                decision.reservationId(), decision.estimatedCost(), light ? null : decision.rateLimit(),
                light ? null : decision.budget(), decision.approvalTriggers(), progress.now());
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
        BigDecimal estimate = request.estimatedCost();
        if (estimate != null && !UsdAmount.inRange(estimate)) {
            throw ProblemException.validation("estimated_cost must be a number between 0 and "
                    + UsdAmount.MAX.toPlainString()).with("field", "estimated_cost");
        }
        if (request.tokens() != null && request.tokens() < 0) {
            throw ProblemException.validation("tokens must not be negative").with("field", "tokens");
        }
    }

    /** Governance's own database failed; the decision fails closed. */
    private static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(Throwable cause) {
            super(cause);
        }
    }
}
