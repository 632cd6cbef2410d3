package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.kaizen.common.events.BudgetThresholdEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.Decision.BudgetState;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.governance.budget.BudgetTallies.Line;
import io.kaizen.governance.budget.BudgetTallies.Reserved;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.service.EffectiveGovernance;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Reserve-then-settle budgets (DESIGN §5). A decision reserves its estimate atomically on the agent's monthly and
 * daily tallies (and the organisation's monthly tally when it has a budget); settlement replaces the estimate by
 * the actual cost in the ledger and in Redis, exactly once; a missing tally is rebuilt from the ledger first, so
 * a Redis restart or flush never resets a budget.
 */
@ApplicationScoped
public class BudgetService {

    private static final Logger LOG = Logger.getLogger(BudgetService.class);
    /** Settled spend announced at these percentages of a limit, once per scope and period. */
    static final int[] THRESHOLDS = {50, 80, 90, 100};

    private final BudgetTallies tallies;
    private final BudgetLedger ledger;
    private final GovernanceSnapshots snapshots;
    private final Outbox outbox;
    private final GovernanceConfig config;

    BudgetService(BudgetTallies tallies, BudgetLedger ledger, GovernanceSnapshots snapshots, Outbox outbox,
            GovernanceConfig config) {
        this.tallies = tallies;
        this.ledger = ledger;
        this.snapshots = snapshots;
        this.outbox = outbox;
        this.config = config;
    }

    /**
     * The outcome of a reservation: admitted or not, whether the organisation's tally holds it too, and the scope
     * to report (the exceeded one when denied, else the most used USD scope).
     */
    public record Hold(boolean admitted, boolean organizationReserved, BudgetState state) {
    }

    public Uni<Hold> reserve(EffectiveGovernance governance, String reservationId, long estimateMicros, Instant now) {
        BudgetLimits limits = governance.budget();
        BudgetPeriod month = BudgetPeriod.month(now);
        BudgetPeriod day = BudgetPeriod.day(now);
        List<Line> lines = List.of(new Line(month, limits.monthlyMicros(), limits.monthlyExecutions()),
                new Line(day, limits.dailyMicros(), limits.dailyExecutions()));
        String tag = BudgetTallies.agentTag(governance.agentId());
        return reserveRebuilding(tag, reservationId, estimateMicros, limits.hard(), lines,
                () -> rebuildAgent(governance.agentId(), month, day, now))
                .chain(reserved -> {
                    if (!reserved.admitted()) {
                        return Uni.createFrom().item(new Hold(false, false,
                                agentState(reserved, reserved.exceededLine(), lines, estimateMicros, limits)));
                    }
                    BudgetState reported = reserved.exceededLine() >= 0
                            ? agentState(reserved, reserved.exceededLine(), lines, estimateMicros, limits)
                            : mostUsed(reserved, lines, estimateMicros, limits);
                    long orgBudget = governance.organization().monthlyBudgetMicros();
                    if (orgBudget < 0) {
                        return Uni.createFrom().item(new Hold(true, false, reported));
                    }
                    return reserveOrganization(governance, reservationId, estimateMicros, orgBudget, month, limits, now)
                            .chain(orgState -> orgState == null ? Uni.createFrom().item(new Hold(true, true, reported))
                                    : release(governance.agentId(), governance.organizationId(), reservationId, false, now)
                                            .replaceWith(new Hold(false, false, orgState)));
                });
    }

    /** Gives back a reservation that never reached the ledger (the decision did not allow the call after all). */
    public Uni<Void> release(String agentId, String organizationId, String reservationId, boolean organizationReserved,
            Instant reservedAt) {
        List<BudgetPeriod> periods = List.of(BudgetPeriod.month(reservedAt), BudgetPeriod.day(reservedAt));
        Uni<Boolean> agent = tallies.settle(BudgetTallies.agentTag(agentId), reservationId, periods, 0, 0, markerTtl());
        if (!organizationReserved) {
            return agent.replaceWithVoid();
        }
        return agent.chain(() -> tallies.settle(BudgetTallies.organizationTag(organizationId), reservationId,
                List.of(periods.get(0)), 0, 0, markerTtl())).replaceWithVoid();
    }

    /**
     * Settles a ledger reservation to {@code actual} (null: releases it). Idempotent: a reservation no longer
     * reserved is returned unchanged. Runs in its own transaction unless one is open.
     */
    public Uni<BudgetReservation> settle(String reservationId, BigDecimal actual) {
        return Panache.withTransaction(() -> BudgetReservation.<BudgetReservation>findById(reservationId,
                LockModeType.PESSIMISTIC_WRITE)
                .chain(row -> row == null || !BudgetReservation.RESERVED.equals(row.status)
                        ? Uni.createFrom().item(row) : apply(row, actual)));
    }

    /** Re-reads every tally Redis may have missed a settlement of: they are dropped and rebuilt on next use. */
    public Uni<Void> resync(BudgetReservation row) {
        BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
        BudgetPeriod day = BudgetPeriod.of(BudgetPeriod.DAILY, row.dayStart);
        return Panache.withTransaction(() -> lockScopes(row.organizationId, row.agentId)
                .chain(() -> tallies.forget(BudgetTallies.agentTag(row.agentId), List.of(month, day)))
                .chain(() -> tallies.forget(BudgetTallies.organizationTag(row.organizationId), List.of(month)))
                .chain(() -> BudgetReservation.update("tallySynced = true where id = ?1", row.id))
                .replaceWithVoid());
    }

    private Uni<BudgetReservation> apply(BudgetReservation row, BigDecimal actual) {
        boolean release = actual == null;
        Instant now = Instant.now();
        row.status = release ? BudgetReservation.RELEASED : BudgetReservation.SETTLED;
        row.actualUsd = release ? BigDecimal.ZERO : actual;
        row.settledAt = now;
        long actualMicros = release ? 0 : Money.actualMicros(actual);
        long executions = release ? 0 : 1;
        BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
        BudgetPeriod day = BudgetPeriod.of(BudgetPeriod.DAILY, row.dayStart);
        return lockScopes(row.organizationId, row.agentId)
                .chain(() -> release ? Uni.createFrom().voidItem()
                        : ledger.addToTotals(row.agentId, row.organizationId, month.name(), month.start(), row.actualUsd, 1)
                                .chain(() -> ledger.addToTotals(row.agentId, row.organizationId, day.name(), day.start(),
                                        row.actualUsd, 1)))
                .chain(() -> tallies.settle(BudgetTallies.agentTag(row.agentId), row.id, List.of(month, day),
                        actualMicros, executions, markerTtl()))
                .chain(applied -> tallies.settle(BudgetTallies.organizationTag(row.organizationId), row.id,
                        List.of(month), actualMicros, executions, markerTtl()).map(orgApplied -> applied && orgApplied))
                .map(applied -> {
                    // Redis had already applied a settlement the ledger had not: tallies and ledger disagree
                    row.tallySynced = applied;
                    return row;
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("budget tallies not updated for reservation %s (%s); they will be rebuilt", row.id,
                            e.getMessage());
                    row.tallySynced = false;
                    return row;
                })
                .call(() -> release ? Uni.createFrom().voidItem() : announceThresholds(row, month, day, now));
    }

    private Uni<Void> announceThresholds(BudgetReservation row, BudgetPeriod month, BudgetPeriod day, Instant now) {
        return snapshots.agent(row.agentId, row.organizationId).chain(governance -> {
            BudgetLimits limits = governance.budget();
            Uni<Void> agentMonthly = ledger.agentTotals(row.agentId, month.name(), month.start())
                    .chain(totals -> announce(row.organizationId, row.agentId, BudgetScopes.MONTHLY, month,
                            limits.monthlyMicros(), totals.spent(), now));
            Uni<Void> agentDaily = ledger.agentTotals(row.agentId, day.name(), day.start())
                    .chain(totals -> announce(row.organizationId, row.agentId, BudgetScopes.DAILY, day,
                            limits.dailyMicros(), totals.spent(), now));
            long orgBudget = governance.organization().monthlyBudgetMicros();
            Uni<Void> organization = orgBudget < 0 ? Uni.createFrom().voidItem()
                    : ledger.organizationTotals(row.organizationId, month.start())
                            .chain(totals -> announce(row.organizationId, null, BudgetScopes.ORGANIZATION_MONTHLY,
                                    month, orgBudget, totals.spent(), now));
            return agentMonthly.chain(() -> agentDaily).chain(() -> organization);
        });
    }

    private Uni<Void> announce(String organizationId, String agentId, String scope, BudgetPeriod period,
            long limitMicros, BigDecimal spent, Instant now) {
        if (limitMicros <= 0) {
            return Uni.createFrom().voidItem();
        }
        long spentMicros = Money.actualMicros(spent);
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int threshold : THRESHOLDS) {
            // spent >= threshold % of the limit, in integers
            if (spentMicros * 100 < limitMicros * threshold) {
                break;
            }
            chain = chain.chain(() -> ledger.markThreshold(agentId != null ? agentId : organizationId, scope,
                    period.start(), threshold)
                    .chain(first -> !first ? Uni.createFrom().voidItem()
                            : outbox.add(Topics.GOVERNANCE, EventTypes.BUDGET_THRESHOLD_CROSSED,
                                    agentId != null ? agentId : organizationId, organizationId,
                                    new BudgetThresholdEvent(organizationId, agentId, scope, period.name(),
                                            period.startsAt(), period.resetsAt(), threshold, Money.usd(spentMicros),
                                            Money.usd(limitMicros), Money.usd(limitMicros - spentMicros), now))
                                    .replaceWithVoid()));
        }
        return chain;
    }

    private Uni<BudgetState> reserveOrganization(EffectiveGovernance governance, String reservationId,
            long estimateMicros, long orgBudget, BudgetPeriod month, BudgetLimits limits, Instant now) {
        List<Line> lines = List.of(new Line(month, orgBudget, -1));
        return reserveRebuilding(BudgetTallies.organizationTag(governance.organizationId()), reservationId,
                estimateMicros, true, lines, () -> rebuildOrganization(governance.organizationId(), month, now))
                .map(reserved -> reserved.admitted() ? null
                        : BudgetScopes.usd(BudgetScopes.ORGANIZATION_MONTHLY, month, orgBudget,
                                reserved.tallies().get(0), estimateMicros, limits));
    }

    private Uni<Reserved> reserveRebuilding(String tag, String reservationId, long estimateMicros, boolean hard,
            List<Line> lines, java.util.function.Supplier<Uni<Void>> rebuild) {
        return tallies.reserve(tag, reservationId, estimateMicros, hard, lines)
                .chain(reserved -> reserved.missingLine() < 0 ? Uni.createFrom().item(reserved)
                        : rebuild.get().chain(() -> tallies.reserve(tag, reservationId, estimateMicros, hard, lines)))
                .map(reserved -> {
                    if (reserved.missingLine() >= 0) {
                        throw new IllegalStateException("budget tally of " + tag + " vanished while rebuilding");
                    }
                    return reserved;
                });
    }

    /** Recreates an agent's month and day tallies from the ledger, under the agent's lock. */
    private Uni<Void> rebuildAgent(String agentId, BudgetPeriod month, BudgetPeriod day, Instant now) {
        return Panache.withTransaction(() -> ledger.lock(agentLock(agentId))
                .chain(() -> ledger.agentTotals(agentId, month.name(), month.start()))
                .chain(monthTotals -> ledger.agentTotals(agentId, day.name(), day.start())
                        .chain(dayTotals -> ledger.outstanding(agentId, month.start())
                                .chain(outstanding -> tallies.init(BudgetTallies.agentTag(agentId), List.of(month, day),
                                        List.of(tally(monthTotals, outstanding, null), tally(dayTotals, outstanding, day.start())),
                                        estimates(outstanding), now)))));
    }

    private Uni<Void> rebuildOrganization(String organizationId, BudgetPeriod month, Instant now) {
        return Panache.withTransaction(() -> ledger.lock(organizationLock(organizationId))
                .chain(() -> ledger.organizationTotals(organizationId, month.start()))
                .chain(totals -> ledger.outstandingForOrganization(organizationId, month.start())
                        .chain(outstanding -> tallies.init(BudgetTallies.organizationTag(organizationId),
                                List.of(month), List.of(tally(totals, outstanding, null)), estimates(outstanding), now))));
    }

    private Uni<Void> lockScopes(String organizationId, String agentId) {
        // always organisation first, then agent: settlements never wait on each other in a cycle
        return ledger.lock(organizationLock(organizationId)).chain(() -> ledger.lock(agentLock(agentId)));
    }

    private static Tally tally(BudgetLedger.Totals totals, List<BudgetReservation> outstanding, LocalDate day) {
        long reserved = 0;
        long count = 0;
        for (BudgetReservation reservation : outstanding) {
            if (day == null || day.equals(reservation.dayStart)) {
                reserved += Money.estimateMicros(reservation.estimateUsd);
                count++;
            }
        }
        return new Tally(Money.actualMicros(totals.spent()), reserved, totals.executions(), count);
    }

    private static Map<String, Long> estimates(List<BudgetReservation> outstanding) {
        Map<String, Long> estimates = new LinkedHashMap<>();
        outstanding.forEach(r -> estimates.put(r.id, Money.estimateMicros(r.estimateUsd)));
        return estimates;
    }

    private static BudgetState agentState(Reserved reserved, int line, List<Line> lines, long estimateMicros,
            BudgetLimits limits) {
        Line exceeded = lines.get(line);
        Tally tally = reserved.tallies().get(line);
        boolean monthly = line == 0;
        if (reserved.executionsExceeded()) {
            return BudgetScopes.executions(monthly ? BudgetScopes.MONTHLY_EXECUTIONS : BudgetScopes.DAILY_EXECUTIONS,
                    exceeded.period(), exceeded.executionLimit(), tally, limits);
        }
        return BudgetScopes.usd(monthly ? BudgetScopes.MONTHLY : BudgetScopes.DAILY, exceeded.period(),
                exceeded.usdLimit(), tally, estimateMicros, limits);
    }

    /** The USD scope closest to its limit (monthly when neither is limited). */
    private static BudgetState mostUsed(Reserved reserved, List<Line> lines, long estimateMicros, BudgetLimits limits) {
        List<BudgetState> states = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            states.add(BudgetScopes.usd(i == 0 ? BudgetScopes.MONTHLY : BudgetScopes.DAILY, lines.get(i).period(),
                    lines.get(i).usdLimit(), reserved.tallies().get(i), estimateMicros, limits));
        }
        return states.stream().filter(s -> s.usagePercentage() != null)
                .max(java.util.Comparator.comparing(BudgetState::usagePercentage))
                .orElse(states.get(0));
    }

    private long markerTtl() {
        return config.budget().settledMarkerTtl().toSeconds();
    }

    static String agentLock(String agentId) {
        return "budget:" + agentId;
    }

    static String organizationLock(String organizationId) {
        return "budget-org:" + organizationId;
    }
}
