package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.kaizen.common.reactive.InOrder;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.journal.DecisionJournal;
import io.kaizen.governance.service.GovernanceMetrics;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ends ledger reservations, exactly once, in the ledger and in Redis: settled to a {@link Charge} (spend and one
 * execution) or released (nothing). A reservation the sweeper settled at its estimate is corrected once when its
 * real outcome arrives late.
 * <p>
 * Reservations end in batches ({@link #batch}): one ledger transaction locks every row of the batch, writes the ended
 * rows in one statement, adds each scope's summed spend to {@code budget_total} once, announces thresholds once per
 * scope, and, last before its commit, applies the Redis tally steps. The batch holds the ledger locks of its scopes
 * (taken once, in a fixed order) until it has committed, so a tally rebuild reads the ledger either before the batch
 * or after it, never between its tally steps and its commit. Rows are written {@code tally_synced = true}; a row whose
 * step Redis did not apply (unreachable, or it had applied it already) is set back to false in the same transaction,
 * for the sweeper's resync. Should the transaction fail after the steps, Redis holds settlements the ledger does not:
 * the batch is applied again (it was not acknowledged), the settled markers make its steps no-ops, its rows are then
 * written unsynced and the resync rebuilds their tallies from the ledger.
 */
@ApplicationScoped
public class BudgetSettlement {

    private static final Logger LOG = Logger.getLogger(BudgetSettlement.class);
    /** The open batch of a Vert.x (duplicated) context: what {@link #end} joins, as Panache joins a transaction. */
    private static final String OPEN_BATCH = BudgetSettlement.class.getName() + ".batch";

    private final BudgetTallies tallies;
    private final BudgetLedger ledger;
    private final BudgetThresholds thresholds;
    private final GovernanceConfig config;
    private final DecisionJournal journal;
    private final GovernanceMetrics metrics;

    BudgetSettlement(BudgetTallies tallies, BudgetLedger ledger, BudgetThresholds thresholds, GovernanceConfig config,
            DecisionJournal journal, GovernanceMetrics metrics) {
        this.journal = journal;
        this.metrics = metrics;
        this.tallies = tallies;
        this.ledger = ledger;
        this.thresholds = thresholds;
        this.config = config;
    }

    /**
     * How one reservation is to end: settled to {@code charge}, or released when {@code charge} is null.
     * {@code agentId} (null: unknown) names the journal to flush when the reservation is not in the ledger yet.
     */
    public record Ending(String reservationId, String agentId, Charge charge) {

        public static Ending settle(String reservationId, String agentId, Charge charge) {
            return new Ending(reservationId, agentId, Objects.requireNonNull(charge));
        }

        public static Ending release(String reservationId, String agentId) {
            return new Ending(reservationId, agentId, null);
        }

        End of(BudgetReservation row) {
            return charge == null ? new End(BudgetReservation.RELEASED, BigDecimal.ZERO, 0, false)
                    : new End(BudgetReservation.SETTLED, charge.amount(row), 1, charge.kind() == Charge.Kind.ESTIMATE);
        }
    }

    /** How a reservation ends: its ledger status, the amount spent and the executions it counts for. */
    private record End(String status, BigDecimal amount, long executions, boolean swept) {

        boolean release() {
            return BudgetReservation.RELEASED.equals(status);
        }
    }

    /**
     * Settles a reservation to {@code charge}. A reservation already ended is returned unchanged, except a swept one,
     * which a real charge corrects. Emits null for an unknown reservation.
     */
    public Uni<BudgetReservation> settle(String reservationId, String agentId, Charge charge) {
        return end(List.of(Ending.settle(reservationId, agentId, charge))).map(rows -> rows.get(0));
    }

    /** Releases a reservation: the call never happened, nothing is spent. A swept reservation is corrected to zero. */
    public Uni<BudgetReservation> release(String reservationId, String agentId) {
        return end(List.of(Ending.release(reservationId, agentId))).map(rows -> rows.get(0));
    }

    /**
     * Ends reservations, in order, and emits their rows afterwards (null for an unknown one). Inside a {@link #batch}
     * this joins it and runs in the caller's transaction (once per batch); otherwise it is a batch of its own.
     */
    public Uni<List<BudgetReservation>> end(List<Ending> endings) {
        Batch open = openBatch();
        if (open != null) {
            return open.end(endings);
        }
        return batch(() -> Panache.withTransaction(() -> openBatch().end(endings)));
    }

    /**
     * Runs {@code transaction}, which must open the ledger transaction in which {@link #end} is called (once), as
     * one settlement batch: on one session, under the batch's scope locks, held until the transaction has ended.
     */
    public <T> Uni<T> batch(Supplier<Uni<T>> transaction) {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            throw new IllegalStateException("settlement batches run on a duplicated Vert.x context");
        }
        Batch batch = new Batch(Instant.now());
        return Panache.withSession(() -> Uni.createFrom().deferred(() -> {
            context.putLocal(OPEN_BATCH, batch);
            return transaction.get();
        })
                .eventually(() -> context.removeLocal(OPEN_BATCH)));
    }

    private static Batch openBatch() {
        Context context = Vertx.currentContext();
        return context == null || !VertxContext.isDuplicatedContext(context) ? null : context.getLocal(OPEN_BATCH);
    }

    /** What Redis must do for one ended reservation, before the commit. */
    private record TallyStep(BudgetReservation row, End end, long micros, long executions, boolean correction) {

        /** It charges more than was reserved: a settlement above its estimate, or a sweep corrected upwards. */
        boolean overspends() {
            if (correction) {
                return micros > 0;
            }
            return !end.release() && row.estimateUsd != null && micros > Money.estimateMicros(row.estimateUsd);
        }
    }

    /** One batch: its scope locks, the totals it adds and the tally steps that end its transaction. */
    private final class Batch {

        private final Instant now;
        private boolean started;
        private final List<TallyStep> steps = new ArrayList<>();

        Batch(Instant now) {
            this.now = now;
        }

        Uni<List<BudgetReservation>> end(List<Ending> endings) {
            if (started) {
                throw new IllegalStateException("a settlement batch ends its reservations at once");
            }
            started = true;
            List<String> ids = endings.stream().map(Ending::reservationId).distinct().toList();
            return ledger.scopesOf(ids)
                    .chain(scopes -> flushMissing(endings, scopes))
                    .chain(scopes -> lockScopes(scopes.values()))
                    .chain(() -> ledger.lockReservations(ids))
                    // written back in one native statement, not one full-row update per entity at flush
                    .call(rows -> Panache.getSession().invoke(session -> rows.forEach(session::detach)))
                    .chain(rows -> {
                        Map<String, BudgetReservation> byId = new HashMap<>();
                        rows.forEach(row -> byId.put(row.id, row));
                        Map<BudgetLedger.TotalsKey, BudgetLedger.Totals> totals = new LinkedHashMap<>();
                        Map<String, BudgetReservation> announced = new LinkedHashMap<>();
                        List<BudgetReservation> ended = new ArrayList<>();
                        for (Ending ending : endings) {
                            BudgetReservation row = byId.get(ending.reservationId());
                            if (row != null) {
                                end(row, ending.of(row), totals, announced);
                            }
                            ended.add(row);
                        }
                        List<BudgetReservation> changed = steps.stream().map(TallyStep::row).toList();
                        return ledger.writeEnded(changed)
                                .chain(() -> ledger.addToTotals(totals))
                                .chain(() -> thresholds.announce(announced.values(), now))
                                .chain(() -> tally())
                                .replaceWith(ended);
                    });
        }

        /** A reservation not in the ledger yet is still in its agent's journal: flushed, then looked up once more. */
        private Uni<Map<String, BudgetLedger.Scope>> flushMissing(List<Ending> endings,
                Map<String, BudgetLedger.Scope> scopes) {
            List<Ending> missing = endings.stream().filter(ending -> !scopes.containsKey(ending.reservationId()))
                    .toList();
            if (missing.isEmpty()) {
                return Uni.createFrom().item(scopes);
            }
            boolean anyAgent = missing.stream().anyMatch(ending -> ending.agentId() == null);
            Uni<Void> flushed = anyAgent ? journal.flushEverything()
                    : InOrder.each(missing.stream().map(Ending::agentId).distinct().toList(), journal::flush);
            return flushed.chain(() -> ledger.scopesOf(missing.stream().map(Ending::reservationId).distinct().toList()))
                    .map(found -> {
                        Map<String, BudgetLedger.Scope> all = new HashMap<>(scopes);
                        all.putAll(found);
                        return all;
                    });
        }

        /** Every organisation's lock, then every agent's, each in order: no two batches wait for each other in a cycle. */
        private Uni<Void> lockScopes(Iterable<BudgetLedger.Scope> scopes) {
            TreeSet<String> organizations = new TreeSet<>();
            TreeSet<String> agents = new TreeSet<>();
            for (BudgetLedger.Scope scope : scopes) {
                organizations.add(BudgetLedger.organizationLock(scope.organizationId()));
                agents.add(BudgetLedger.agentLock(scope.agentId()));
            }
            List<String> order = new ArrayList<>(organizations);
            order.addAll(agents);
            return InOrder.each(order, key -> ledger.lock(key));
        }

        private void end(BudgetReservation row, End end, Map<BudgetLedger.TotalsKey, BudgetLedger.Totals> totals,
                Map<String, BudgetReservation> announced) {
            if (BudgetReservation.RESERVED.equals(row.status)) {
                add(totals, row, end.amount(), end.executions());
                steps.add(new TallyStep(row, end, Money.actualMicros(end.amount()), end.executions(), false));
                if (!end.release()) {
                    announced.putIfAbsent(row.agentId + row.monthStart + row.dayStart, row);
                }
            } else if (row.swept && !end.swept()) {
                // replaces the sweeper's settlement at the estimate by the real outcome: only the difference is added
                BigDecimal delta = end.amount().subtract(row.actualUsd);
                long executions = end.executions() - 1;
                add(totals, row, delta, executions);
                steps.add(new TallyStep(row, end,
                        Money.actualMicros(end.amount()) - Money.actualMicros(row.actualUsd), executions, true));
                LOG.infof("reservation %s was swept at its estimate; corrected by %s USD to its real outcome", row.id,
                        delta.toPlainString());
                if (delta.signum() > 0) {
                    announced.putIfAbsent(row.agentId + row.monthStart + row.dayStart, row);
                }
            } else {
                return;
            }
            row.status = end.status();
            row.actualUsd = end.amount();
            row.swept = end.swept();
            row.settledAt = now;
            // set back to false, in this transaction, should Redis not apply this end
            row.tallySynced = true;
        }

        private void add(Map<BudgetLedger.TotalsKey, BudgetLedger.Totals> totals, BudgetReservation row,
                BigDecimal amount, long executions) {
            if (amount.signum() == 0 && executions == 0) {
                return;
            }
            for (BudgetPeriod period : BudgetPeriod.ofReservation(row)) {
                totals.merge(new BudgetLedger.TotalsKey(row.agentId, period.name(), period.start(), row.organizationId),
                        new BudgetLedger.Totals(amount, executions), BudgetLedger.Totals::plus);
            }
        }

        /**
         * The tally steps, the last work of the batch's transaction; rows whose step Redis did not apply are set back
         * to unsynced in it, for the sweeper's resync.
         */
        private Uni<Void> tally() {
            if (steps.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<String> unsynced = new ArrayList<>();
            return Multi.createFrom().iterable(steps)
                    .onItem().transformToUniAndConcatenate(step -> tally(step)
                            .invoke(applied -> {
                                if (!applied) {
                                    step.row().tallySynced = false;
                                    unsynced.add(step.row().id);
                                } else if (step.overspends()) {
                                    // a step applies once (Redis's settled markers), so each overspend counts once
                                    metrics.overspent();
                                }
                            }))
                    .collect().last()
                    .chain(() -> unsynced.isEmpty() ? Uni.createFrom().voidItem() : ledger.markUnsynced(unsynced));
        }

        /** Applies one step; when Redis fails or had already applied it, the row is left for a resync. */
        private Uni<Boolean> tally(TallyStep step) {
            BudgetReservation row = step.row();
            List<BudgetPeriod> periods = BudgetPeriod.ofReservation(row);
            List<BudgetPeriod> organizationPeriods = periods.stream()
                    .filter(period -> BudgetPeriod.MONTHLY.equals(period.name())).toList();
            String agentTag = BudgetTallies.agentTag(row.agentId);
            String organizationTag = BudgetTallies.organizationTag(row.organizationId);
            Uni<Boolean> redis;
            if (step.correction()) {
                redis = tallies.correct(agentTag, row.id, periods, step.micros(), step.executions(), markerTtl())
                        .chain(applied -> tallies.correct(organizationTag, row.id, organizationPeriods, step.micros(),
                                step.executions(), markerTtl()).map(orgApplied -> applied && orgApplied));
            } else if (step.end().release()) {
                redis = tallies.release(agentTag, row.id, periods)
                        .chain(() -> row.orgReserved ? tallies.release(organizationTag, row.id, organizationPeriods)
                                : Uni.createFrom().voidItem())
                        .replaceWith(true);
            } else {
                redis = tallies.settle(agentTag, row.id, periods, step.micros(), markerTtl())
                        // the organisation's tally counts the spend of all its agents, reserved on it or not
                        .chain(applied -> tallies.settle(organizationTag, row.id, organizationPeriods, step.micros(),
                                markerTtl()).map(orgApplied -> applied && orgApplied));
            }
            // false: Redis had already applied a step the ledger had not, so tallies and ledger disagree
            return redis.onFailure().recoverWithItem(e -> {
                LOG.warnf("budget tallies not updated for reservation %s (%s); they will be rebuilt", row.id,
                        e.getMessage());
                return false;
            });
        }
    }

    private long markerTtl() {
        return config.budget().settledMarkerTtl().toSeconds();
    }
}
