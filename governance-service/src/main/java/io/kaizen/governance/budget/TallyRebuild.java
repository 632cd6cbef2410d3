package io.kaizen.governance.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kaizen.governance.budget.BudgetTallies.Rebuilt;
import io.kaizen.governance.domain.BudgetReservation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Recreates budget tallies from the ledger, the record: before use when a tally is missing (Redis restarted or
 * flushed, a new period began), and after Redis missed a settlement (the tallies are dropped, then rebuilt on
 * next use). A rebuild holds the scope's ledger lock, so it never reads between a settlement's commit and its Redis
 * update.
 */
@ApplicationScoped
public class TallyRebuild {

    private final BudgetTallies tallies;
    private final BudgetLedger ledger;

    TallyRebuild(BudgetTallies tallies, BudgetLedger ledger) {
        this.tallies = tallies;
        this.ledger = ledger;
    }

    /** Recreates an agent's month and day tallies from the ledger, under the agent's lock. */
    public Uni<Void> agent(String agentId, BudgetPeriod month, BudgetPeriod day, Instant now) {
        return Panache.withTransaction(() -> ledger.lock(BudgetLedger.agentLock(agentId))
                .chain(() -> ledger.agentTotals(agentId, month.name(), month.start()))
                .chain(monthTotals -> ledger.agentTotals(agentId, day.name(), day.start())
                        .chain(dayTotals -> ledger.outstanding(agentId, month.start())
                                .chain(outstanding -> tallies.init(BudgetTallies.agentTag(agentId),
                                        List.of(month, day), List.of(rebuilt(monthTotals, outstanding, null),
                                                rebuilt(dayTotals, outstanding, day.start())), now)))));
    }

    /** Recreates an organisation's month tally from the ledger, under the organisation's lock. */
    public Uni<Void> organization(String organizationId, BudgetPeriod month, Instant now) {
        return Panache.withTransaction(() -> ledger.lock(BudgetLedger.organizationLock(organizationId))
                .chain(() -> ledger.organizationTotals(organizationId, month.start()))
                .chain(totals -> ledger.outstandingForOrganization(organizationId, month.start())
                        .chain(outstanding -> tallies.init(BudgetTallies.organizationTag(organizationId),
                                List.of(month), List.of(rebuilt(totals, outstanding, null)), now))));
    }

    /** Drops every tally Redis may have missed a settlement of: they are rebuilt on next use. */
    public Uni<Void> resync(BudgetReservation row) {
        BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
        BudgetPeriod day = BudgetPeriod.of(BudgetPeriod.DAILY, row.dayStart);
        return Panache.withTransaction(() -> ledger.lockScopes(row.organizationId, row.agentId)
                .chain(() -> tallies.forget(BudgetTallies.agentTag(row.agentId), List.of(month, day)))
                .chain(() -> tallies.forget(BudgetTallies.organizationTag(row.organizationId), List.of(month)))
                .chain(() -> BudgetReservation.update("tallySynced = true where id = ?1", row.id))
                .replaceWithVoid());
    }

    /** A tally from settled totals and the outstanding reservations of its period ({@code day} null: the month). */
    private static Rebuilt rebuilt(BudgetLedger.Totals totals, List<BudgetReservation> outstanding, LocalDate day) {
        Map<String, Long> held = new LinkedHashMap<>();
        for (BudgetReservation reservation : outstanding) {
            if (day == null || day.equals(reservation.dayStart)) {
                held.put(reservation.id, Money.estimateMicros(reservation.estimateUsd));
            }
        }
        return new Rebuilt(Money.actualMicros(totals.spent()), totals.executions(), held);
    }
}
