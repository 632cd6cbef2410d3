package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.journal.DecisionJournal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Ends ledger reservations, exactly once, in the ledger and in Redis: settled to a {@link Charge} (spend and one
 * execution) or released (nothing). A reservation the sweeper settled at its estimate is corrected once when its
 * real outcome arrives late. Each runs in its own transaction (unless one is open) under the scopes' ledger locks.
 */
@ApplicationScoped
public class BudgetSettlement {

    private static final Logger LOG = Logger.getLogger(BudgetSettlement.class);

    private final BudgetTallies tallies;
    private final BudgetLedger ledger;
    private final BudgetThresholds thresholds;
    private final GovernanceConfig config;
    private final DecisionJournal journal;

    BudgetSettlement(BudgetTallies tallies, BudgetLedger ledger, BudgetThresholds thresholds, GovernanceConfig config,
            DecisionJournal journal) {
        this.journal = journal;
        this.tallies = tallies;
        this.ledger = ledger;
        this.thresholds = thresholds;
        this.config = config;
    }

    /** How a reservation ends: its ledger status, the amount spent and the executions it counts for. */
    private record End(String status, BigDecimal amount, long executions, boolean swept) {

        boolean release() {
            return BudgetReservation.RELEASED.equals(status);
        }
    }

    /**
     * Settles a reservation to {@code charge}. A reservation already ended is returned unchanged, except a swept one,
     * which a real charge corrects. Emits null for an unknown reservation. {@code agentId} (null: unknown) names the
     * journal to flush when the reservation is not in the ledger yet.
     */
    public Uni<BudgetReservation> settle(String reservationId, String agentId, Charge charge) {
        return end(reservationId, agentId, row -> new End(BudgetReservation.SETTLED, charge.amount(row), 1,
                charge.kind() == Charge.Kind.ESTIMATE));
    }

    /** Releases a reservation: the call never happened, nothing is spent. A swept reservation is corrected to zero. */
    public Uni<BudgetReservation> release(String reservationId, String agentId) {
        return end(reservationId, agentId, row -> new End(BudgetReservation.RELEASED, BigDecimal.ZERO, 0, false));
    }

    /** A reservation still only in its agent's journal is flushed to the ledger first, then ended. */
    private Uni<BudgetReservation> end(String reservationId, String agentId, Function<BudgetReservation, End> outcome) {
        return endStored(reservationId, outcome).chain(row -> row != null ? Uni.createFrom().item(row)
                : (agentId != null ? journal.flush(agentId) : journal.flushEverything())
                        .chain(() -> endStored(reservationId, outcome)));
    }

    private Uni<BudgetReservation> endStored(String reservationId, Function<BudgetReservation, End> outcome) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> BudgetReservation.<BudgetReservation>findById(reservationId,
                LockModeType.PESSIMISTIC_WRITE)
                .chain(row -> {
                    if (row == null) {
                        return Uni.createFrom().nullItem();
                    }
                    End end = outcome.apply(row);
                    if (BudgetReservation.RESERVED.equals(row.status)) {
                        return apply(row, end, now);
                    }
                    if (row.swept && !end.swept()) {
                        return correct(row, end, now);
                    }
                    return Uni.createFrom().item(row);
                }));
    }

    private Uni<BudgetReservation> apply(BudgetReservation row, End end, Instant now) {
        row.status = end.status();
        row.actualUsd = end.amount();
        row.swept = end.swept();
        row.settledAt = now;
        List<BudgetPeriod> periods = BudgetPeriod.ofReservation(row);
        BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
        String agentTag = BudgetTallies.agentTag(row.agentId);
        String organizationTag = BudgetTallies.organizationTag(row.organizationId);
        Uni<Boolean> redis;
        if (end.release()) {
            redis = tallies.release(agentTag, row.id, periods)
                    .chain(() -> row.orgReserved ? tallies.release(organizationTag, row.id, List.of(month))
                            : Uni.createFrom().voidItem())
                    .replaceWith(true);
        } else {
            long micros = Money.actualMicros(end.amount());
            redis = tallies.settle(agentTag, row.id, periods, micros, markerTtl())
                    // the organisation's tally counts the spend of all its agents, reserved on it or not
                    .chain(applied -> tallies.settle(organizationTag, row.id, List.of(month), micros, markerTtl())
                            .map(orgApplied -> applied && orgApplied));
        }
        return ledger.lockScopes(row.organizationId, row.agentId)
                .chain(() -> addToTotals(row, periods, end.amount(), end.executions()))
                .chain(() -> synced(row, redis))
                .call(() -> end.release() ? Uni.createFrom().voidItem() : thresholds.announce(row, now));
    }

    /** Replaces the sweeper's settlement at the estimate by the real outcome: only the difference is added. */
    private Uni<BudgetReservation> correct(BudgetReservation row, End end, Instant now) {
        BigDecimal delta = end.amount().subtract(row.actualUsd);
        long executions = end.executions() - 1;
        long micros = Money.actualMicros(end.amount()) - Money.actualMicros(row.actualUsd);
        row.status = end.status();
        row.actualUsd = end.amount();
        row.swept = false;
        row.settledAt = now;
        List<BudgetPeriod> periods = BudgetPeriod.ofReservation(row);
        BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
        Uni<Boolean> redis = tallies.correct(BudgetTallies.agentTag(row.agentId), row.id, periods, micros,
                executions, markerTtl())
                .chain(applied -> tallies.correct(BudgetTallies.organizationTag(row.organizationId), row.id,
                        List.of(month), micros, executions, markerTtl()).map(orgApplied -> applied && orgApplied));
        LOG.infof("reservation %s was swept at its estimate; corrected by %s USD to its real outcome", row.id,
                delta.toPlainString());
        return ledger.lockScopes(row.organizationId, row.agentId)
                .chain(() -> addToTotals(row, periods, delta, executions))
                .chain(() -> synced(row, redis))
                .call(() -> delta.signum() > 0 ? thresholds.announce(row, now) : Uni.createFrom().voidItem());
    }

    private Uni<Void> addToTotals(BudgetReservation row, List<BudgetPeriod> periods, BigDecimal amount,
            long executions) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (amount.signum() == 0 && executions == 0) {
            return chain;
        }
        for (BudgetPeriod period : periods) {
            chain = chain.chain(() -> ledger.addToTotals(row.agentId, row.organizationId, period.name(),
                    period.start(), amount, executions));
        }
        return chain;
    }

    /** Applies the Redis step; when Redis fails or had already applied it, the row is left for a resync. */
    private static Uni<BudgetReservation> synced(BudgetReservation row, Uni<Boolean> redis) {
        return redis.map(applied -> {
            // Redis had already applied a step the ledger had not: tallies and ledger disagree
            row.tallySynced = applied;
            return row;
        }).onFailure().recoverWithItem(e -> {
            LOG.warnf("budget tallies not updated for reservation %s (%s); they will be rebuilt", row.id,
                    e.getMessage());
            row.tallySynced = false;
            return row;
        });
    }

    private long markerTtl() {
        return config.budget().settledMarkerTtl().toSeconds();
    }
}
