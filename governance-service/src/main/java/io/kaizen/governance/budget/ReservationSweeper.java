package io.kaizen.governance.budget;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.kaizen.common.reactive.InOrder;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.BudgetReservation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Page;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the ledger and the tallies honest when something was lost: reservations of invocations the gateway refused
 * are released; reservations whose outcome never arrived are settled at their estimate after
 * {@code kaizen.governance.budget.reservation-timeout} (the call may have happened; a late outcome corrects them);
 * and tallies that missed a settlement while Redis was unreachable are dropped to be rebuilt.
 */
@ApplicationScoped
public class ReservationSweeper {

    private static final Logger LOG = Logger.getLogger(ReservationSweeper.class);
    private static final int BATCH = 100;

    private final BudgetSettlement settlement;
    private final RefusedInvocations refusals;
    private final TallyRebuild rebuild;
    private final BudgetLedger ledger;
    private final GovernanceConfig config;

    ReservationSweeper(BudgetSettlement settlement, RefusedInvocations refusals, TallyRebuild rebuild,
            BudgetLedger ledger, GovernanceConfig config) {
        this.settlement = settlement;
        this.refusals = refusals;
        this.rebuild = rebuild;
        this.ledger = ledger;
        this.config = config;
    }

    @Scheduled(every = "${kaizen.governance.budget.sweep-interval:30s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        Instant cutoff = Instant.now().minus(config.budget().reservationTimeout());
        return Uni.createFrom().deferred(() -> refusals.releaseLate(config.budget().reservationTimeout()))
                .chain(() -> Panache.withSession(() -> ledger.stale(cutoff, BATCH)))
                .chain(stale -> each(stale, row -> settlement.settle(row.id, row.agentId, Charge.ESTIMATE).replaceWithVoid()))
                .chain(() -> Panache.withSession(() -> BudgetReservation
                        .<BudgetReservation>find("tallySynced = false").page(Page.ofSize(BATCH)).list()))
                .chain(unsynced -> each(unsynced, rebuild::resync))
                .onFailure().invoke(e -> LOG.debugf("budget sweep skipped: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private static Uni<Void> each(List<BudgetReservation> rows, Function<BudgetReservation, Uni<Void>> action) {
        return InOrder.each(rows, row -> action.apply(row).onFailure().recoverWithNull());
    }
}
