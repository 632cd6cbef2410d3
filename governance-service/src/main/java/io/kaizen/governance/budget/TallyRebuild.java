package io.kaizen.governance.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.kaizen.common.vertx.DetachedContext;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.budget.BudgetTallies.Rebuilt;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.journal.DecisionJournal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Recreates budget tallies from the ledger, the record: before use when a tally is missing (Redis restarted or
 * flushed, a new period began), and after Redis missed a settlement (the tallies are dropped, then rebuilt on
 * next use). A rebuild holds the scope's ledger lock, so it never reads between a settlement's commit and its Redis
 * update.
 * <p>
 * Every decision of a hot agent finds its tallies missing at the same moment after Redis restarted: each asks for a
 * rebuild, and they queue on the scope's lock. The first rebuilds; the others find the tallies there, before and again
 * under the lock, and return at once — a rebuild of tallies that exist would leave them alone anyway
 * ({@code budget_init.lua}). Without that check each waiter read the ledger again in turn, and the agent's decisions
 * stalled for seconds.
 */
@ApplicationScoped
public class TallyRebuild {

    static final String REBUILDS = "kaizen.governance.budget.rebuilds";

    private final BudgetTallies tallies;
    private final BudgetLedger ledger;
    private final DecisionJournal journal;
    private final Vertx vertx;
    private final Counter agentRebuilds;
    private final Counter organizationRebuilds;
    /** Outstanding reservations read and staged per step of a rebuild: what bounds its memory. */
    private final int page;

    TallyRebuild(BudgetTallies tallies, BudgetLedger ledger, DecisionJournal journal, Vertx vertx,
            MeterRegistry registry, GovernanceConfig config) {
        this.page = config.budget().rebuildPage();
        this.journal = journal;
        this.vertx = vertx;
        this.tallies = tallies;
        this.ledger = ledger;
        this.agentRebuilds = rebuilds(registry, "agent");
        this.organizationRebuilds = rebuilds(registry, "organization");
    }

    private static Counter rebuilds(MeterRegistry registry, String scope) {
        return Counter.builder(REBUILDS).tag("scope", scope)
                .description("Budget tallies recreated from the ledger (after Redis lost them)")
                .register(registry);
    }

    /**
     * Runs {@code rebuild} unless the tallies exist: checked first, then again under the scope's lock. The rebuild
     * runs to its end on a context of its own even when its caller stops waiting (a caller's timeout would otherwise
     * roll it back, and the next caller would start over); the caller gets the outcome on its own context.
     */
    private Uni<Void> unlessPresent(String tag, List<BudgetPeriod> periods, Supplier<Uni<Void>> flush, String lock,
            Supplier<Uni<Void>> rebuild) {
        Context caller = Vertx.currentContext();
        return tallies.exist(tag, periods).chain(present -> present ? Uni.createFrom().voidItem()
                : DetachedContext.resumeOn(caller, DetachedContext.run(vertx, () -> flush.get()
                        .chain(() -> Panache.withTransaction(() -> ledger.lock(lock)
                                .chain(() -> tallies.exist(tag, periods))
                                .chain(stillPresent -> stillPresent ? Uni.createFrom().voidItem()
                                        : rebuild.get()))))));
    }

    /**
     * Recreates an agent's tallies of {@code periods} (month, week, day) from the ledger, under the agent's lock. The
     * agent's journal is flushed first: the holds it journaled are outstanding reservations the tallies must count.
     * Each tally gets the carry of its period: recorded in the ledger when first built, so every rebuild carries the
     * same amount. An agent created after the previous period began ({@code agentCreatedAt}, null when unknown) left
     * nothing unused in it: it carries nothing.
     */
    public Uni<Void> agent(String agentId, String organizationId, List<BudgetPeriod> periods, BudgetLimits limits,
            Instant agentCreatedAt, Instant now) {
        BudgetPeriod month = periods.get(0);
        BudgetPeriod week = periods.get(1);
        String tag = BudgetTallies.agentTag(agentId);
        return unlessPresent(tag, periods, () -> journal.flush(agentId),
                BudgetLedger.agentLock(agentId), () -> tallies.startStaging(tag, periods)
                        .chain(() -> ledger.outstanding(agentId, month.start(), week.start(), page,
                                rows -> tallies.stage(tag, periods, held(rows, periods, null))))
                        .chain(() -> Multi.createFrom().iterable(periods)
                                .onItem().transformToUniAndConcatenate(period -> ledger
                                        .agentTotals(agentId, period.name(), period.start())
                                        .chain(totals -> carry(agentId, organizationId, period, limits, agentCreatedAt)
                                                .map(carry -> rebuilt(totals, carry))))
                                .collect().asList())
                        .chain(rebuilt -> tallies.create(tag, periods, rebuilt, now))
                        .invoke(() -> agentRebuilds.increment()));
    }

    /** The carry recorded for {@code period}, recording it first from the previous period's unused budget. */
    private Uni<Long> carry(String agentId, String organizationId, BudgetPeriod period, BudgetLimits limits,
            Instant agentCreatedAt) {
        boolean existedAllPreviousPeriod = agentCreatedAt == null
                || !agentCreatedAt.isAfter(period.previous().startsAt());
        return ledger.recordedCarry(agentId, period).chain(recorded -> recorded != null
                ? Uni.createFrom().item(recorded)
                : (existedAllPreviousPeriod ? ledger.unusedMicros(agentId, period.previous(), limits.usdMicros(period))
                        : Uni.createFrom().item(0L))
                        .chain(unused -> ledger.recordCarry(agentId, organizationId, period, Money.usd(unused))))
                .map(Money::actualMicros);
    }

    /**
     * Recreates an organisation's month tally from the ledger, under the organisation's lock, after flushing every
     * journal (any of the organisation's agents may have journaled holds). {@code reserving} is left out: the
     * reservation being made, already journaled on its agent's side, is about to be held on this tally.
     */
    public Uni<Void> organization(String organizationId, BudgetPeriod month, Instant now, String reserving) {
        String tag = BudgetTallies.organizationTag(organizationId);
        List<BudgetPeriod> periods = List.of(month);
        return unlessPresent(tag, periods, journal::flushEverything,
                BudgetLedger.organizationLock(organizationId), () -> tallies.startStaging(tag, periods)
                        .chain(() -> ledger.outstandingForOrganization(organizationId, month.start(), page,
                                rows -> tallies.stage(tag, periods, held(rows, periods, reserving))))
                        .chain(() -> ledger.organizationTotals(organizationId, month.start()))
                        .chain(totals -> tallies.create(tag, periods, List.of(rebuilt(totals, 0)), now))
                        .invoke(() -> organizationRebuilds.increment()));
    }

    /**
     * Drops every tally Redis may have missed a settlement of: they are rebuilt on next use. A row a settlement batch
     * marked synced while this waited for the scopes' locks (its tally steps were only in progress) is left alone.
     */
    public Uni<Void> resync(BudgetReservation row) {
        List<BudgetPeriod> periods = BudgetPeriod.ofReservation(row);
        return Panache.withTransaction(() -> ledger.lockScopes(row.organizationId, row.agentId)
                .chain(() -> BudgetReservation.update("tallySynced = true where id = ?1 and tallySynced = false",
                        row.id))
                .chain(claimed -> claimed == 0 ? Uni.createFrom().voidItem()
                        : tallies.forget(BudgetTallies.agentTag(row.agentId), periods)
                                .chain(() -> tallies.forget(BudgetTallies.organizationTag(row.organizationId),
                                        List.of(BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart)))))
                .replaceWithVoid());
    }

    /** A tally's settled part: the ledger's totals of its period and the micro-USD carried into it. */
    private static Rebuilt rebuilt(BudgetLedger.Totals totals, long carry) {
        return new Rebuilt(Money.actualMicros(totals.spent()), totals.executions(), carry);
    }

    /** A page of reservations as each period's tally holds them; {@code leftOut} (may be null) is left out. */
    private static List<Map<String, Long>> held(List<BudgetLedger.Held> page, List<BudgetPeriod> periods,
            String leftOut) {
        List<Map<String, Long>> held = new ArrayList<>();
        for (BudgetPeriod period : periods) {
            Map<String, Long> ofPeriod = new LinkedHashMap<>();
            for (BudgetLedger.Held reservation : page) {
                if (reservation.in(period) && !reservation.id().equals(leftOut)) {
                    ofPeriod.put(reservation.id(), Money.estimateMicros(reservation.estimate()));
                }
            }
            held.add(ofPeriod);
        }
        return held;
    }
}
