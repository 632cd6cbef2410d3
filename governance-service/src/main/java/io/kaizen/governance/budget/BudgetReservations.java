package io.kaizen.governance.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import io.kaizen.common.governance.Decision.BudgetState;
import io.kaizen.governance.budget.BudgetTallies.Line;
import io.kaizen.governance.budget.BudgetTallies.Reserved;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.ratelimit.SlidingWindowRateLimiter;
import io.kaizen.governance.service.EffectiveGovernance;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Holds a decision's estimate on the budget tallies (DESIGN §5): on the agent's monthly, weekly and daily tallies together with
 * its rate windows and its journal entry ({@link AgentAdmission}), then on the organisation's monthly tally when it has
 * a budget, rebuilding a missing tally from the ledger first; and gives a hold back when the decision does not allow
 * the call after all. A hold the organisation refuses, or cannot take, is given back on the agent's tallies at once.
 */
@ApplicationScoped
public class BudgetReservations {

    private final BudgetTallies tallies;
    private final TallyRebuild rebuild;
    private final AgentAdmission admission;

    BudgetReservations(BudgetTallies tallies, TallyRebuild rebuild, AgentAdmission admission) {
        this.tallies = tallies;
        this.rebuild = rebuild;
        this.admission = admission;
    }

    /**
     * The outcome of a reservation: admitted or not, whether the organisation's tally holds it too, and the scope
     * to report (the exceeded one when denied, else the most used USD scope).
     */
    public record Hold(boolean admitted, boolean organizationReserved, BudgetState state) {
    }

    /** The agent's side of a decision: its rate windows' result, and its budget hold (null when rate-limited). */
    public record Admission(SlidingWindowRateLimiter.Result rate, Hold hold) {
    }

    /**
     * Takes the call from the agent's rate windows and holds its estimate on the agent's tallies, journaling
     * {@code journalEntry} (the reservation's ledger row) when both admit it, in one atomic step.
     */
    public Uni<Admission> admit(EffectiveGovernance governance, String userId, String decisionId,
            List<RateLimitWindow> windows, String reservationId, long estimateMicros, Instant now,
            String journalEntry) {
        BudgetLimits limits = governance.budget();
        List<BudgetPeriod> periods = BudgetPeriod.at(now, governance.organization().timeZone());
        List<Line> lines = periods.stream().map(period -> new Line(period, limits.usdMicros(period),
                limits.executions(period), limits.rolloverCapMicros(limits.usdMicros(period)))).toList();
        Supplier<Uni<AgentAdmission.Admitted>> run = () -> admission.run(governance.agentId(), userId, decisionId,
                windows, reservationId, estimateMicros, limits.hard(), lines, journalEntry);
        return run.get()
                .chain(admitted -> !admitted.missing() ? Uni.createFrom().item(admitted)
                        : rebuild.agent(governance.agentId(), governance.organizationId(), periods, limits,
                                governance.agentCreatedAt(), now)
                                .chain(() -> run.get()))
                .map(admitted -> {
                    if (admitted.missing()) {
                        throw new IllegalStateException("budget tally of " + governance.agentId()
                                + " vanished while rebuilding");
                    }
                    Reserved reserved = admitted.budget();
                    if (reserved == null) {
                        return new Admission(admitted.rate(), null);
                    }
                    if (!reserved.admitted()) {
                        return new Admission(admitted.rate(), new Hold(false, false,
                                agentState(reserved, reserved.exceededLine(), lines, estimateMicros, limits)));
                    }
                    BudgetState reported = reserved.exceededLine() >= 0
                            ? agentState(reserved, reserved.exceededLine(), lines, estimateMicros, limits)
                            : mostUsed(reserved, lines, estimateMicros, limits);
                    return new Admission(admitted.rate(), new Hold(true, false, reported));
                });
    }

    /**
     * Holds an admitted agent hold's estimate on the organisation's tally too, when the organisation has a budget.
     * Refused or failed, the agent's hold is given back before this answers.
     */
    public Uni<Hold> reserveOrganization(EffectiveGovernance governance, String reservationId, long estimateMicros,
            Hold agentHold, Instant now) {
        long orgBudget = governance.organization().monthlyBudgetMicros();
        if (orgBudget < 0) {
            return Uni.createFrom().item(agentHold);
        }
        Uni<Void> giveBack = release(governance, reservationId, false, now);
        return reserveOrganization(governance, reservationId, estimateMicros, orgBudget, BudgetPeriod.month(now),
                governance.budget(), now)
                // refused or failed: the agent's tallies must not keep the hold
                .onFailure().call(() -> giveBack)
                .chain(orgState -> orgState == null ? Uni.createFrom().item(new Hold(true, true, agentHold.state()))
                        : giveBack.replaceWith(new Hold(false, false, orgState)));
    }

    /** Gives back a hold that never reached the ledger (the decision did not allow the call after all). */
    public Uni<Void> release(EffectiveGovernance governance, String reservationId, boolean organizationReserved,
            Instant reservedAt) {
        Uni<Void> agent = tallies.release(BudgetTallies.agentTag(governance.agentId()), reservationId,
                BudgetPeriod.at(reservedAt, governance.organization().timeZone()));
        if (!organizationReserved) {
            return agent;
        }
        return agent.chain(() -> tallies.release(BudgetTallies.organizationTag(governance.organizationId()),
                reservationId, List.of(BudgetPeriod.month(reservedAt))));
    }

    private Uni<BudgetState> reserveOrganization(EffectiveGovernance governance, String reservationId,
            long estimateMicros, long orgBudget, BudgetPeriod month, BudgetLimits limits, Instant now) {
        List<Line> lines = List.of(new Line(month, orgBudget, -1));
        return reserveRebuilding(BudgetTallies.organizationTag(governance.organizationId()), reservationId,
                estimateMicros, true, lines,
                () -> rebuild.organization(governance.organizationId(), month, now, reservationId))
                .map(reserved -> reserved.admitted() ? null
                        : BudgetScopes.usd(BudgetScopes.ORGANIZATION_MONTHLY, month, orgBudget,
                                reserved.tallies().get(0), estimateMicros, limits));
    }

    private Uni<Reserved> reserveRebuilding(String tag, String reservationId, long estimateMicros, boolean hard,
            List<Line> lines, Supplier<Uni<Void>> rebuildTallies) {
        return tallies.reserve(tag, reservationId, estimateMicros, hard, lines)
                .chain(reserved -> reserved.missingLine() < 0 ? Uni.createFrom().item(reserved)
                        : rebuildTallies.get().chain(() -> tallies.reserve(tag, reservationId, estimateMicros, hard, lines)))
                .map(reserved -> {
                    if (reserved.missingLine() >= 0) {
                        throw new IllegalStateException("budget tally of " + tag + " vanished while rebuilding");
                    }
                    return reserved;
                });
    }

    private static BudgetState agentState(Reserved reserved, int line, List<Line> lines, long estimateMicros,
            BudgetLimits limits) {
        Line exceeded = lines.get(line);
        Tally tally = reserved.tallies().get(line);
        if (reserved.executionsExceeded()) {
            return BudgetScopes.executions(BudgetScopes.executionScope(exceeded.period()), exceeded.period(),
                    exceeded.executionLimit(), tally, limits);
        }
        return BudgetScopes.usd(BudgetScopes.usdScope(exceeded.period()), exceeded.period(),
                effectiveLimit(exceeded, reserved.rollover(line)), tally, estimateMicros, limits);
    }

    /** A line's USD limit with the rollover its tally added (still -1 when unlimited). */
    private static long effectiveLimit(Line line, long rollover) {
        return line.usdLimit() < 0 ? -1 : line.usdLimit() + rollover;
    }

    /** The USD scope closest to its limit (monthly when none is limited). */
    private static BudgetState mostUsed(Reserved reserved, List<Line> lines, long estimateMicros, BudgetLimits limits) {
        List<BudgetState> states = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            states.add(BudgetScopes.usd(BudgetScopes.usdScope(lines.get(i).period()), lines.get(i).period(),
                    effectiveLimit(lines.get(i), reserved.rollover(i)), reserved.tallies().get(i), estimateMicros,
                    limits));
        }
        return states.stream().filter(s -> s.usagePercentage() != null)
                .max(Comparator.comparing(BudgetState::usagePercentage))
                .orElse(states.get(0));
    }
}
