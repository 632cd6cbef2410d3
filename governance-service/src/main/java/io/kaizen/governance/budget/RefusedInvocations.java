package io.kaizen.governance.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.kaizen.common.reactive.InOrder;
import io.kaizen.governance.journal.DecisionJournal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Invocations the gateway refused without knowing governance's decision (it timed out waiting, or governance could
 * not be reached), so their events carry no reservation id: the reservation, if governance made one, is found by
 * invocation id and released. A refusal is remembered for a while, because the reservation may be committed after
 * the refusal arrives; the sweeper releases those.
 */
@ApplicationScoped
public class RefusedInvocations {

    private static final int BATCH = 100;

    private final BudgetLedger ledger;
    private final BudgetSettlement settlement;
    private final DecisionJournal journal;

    RefusedInvocations(BudgetLedger ledger, BudgetSettlement settlement, DecisionJournal journal) {
        this.journal = journal;
        this.ledger = ledger;
        this.settlement = settlement;
    }

    /**
     * Records the refusal and answers the reservations to release for the invocation: those still held, or settled
     * by the sweeper at a guess (their release corrects it); inside the caller's transaction, which releases them.
     * The agent's journal ({@code agentId} null: every journal) is flushed first, so a reservation answered but not
     * yet in the ledger is found too.
     */
    public Uni<List<String>> refused(String invocationId, String agentId, Instant refusedAt) {
        return ledger.recordRefusal(invocationId, refusedAt)
                .chain(() -> agentId != null ? journal.flush(agentId) : journal.flushEverything())
                .chain(() -> ledger.unsettledForInvocation(invocationId));
    }

    /**
     * Releases reservations committed after their invocation's refusal arrived, and forgets refusals older than
     * {@code keep}: by then every reservation of theirs was committed and released.
     */
    public Uni<Void> releaseLate(Duration keep) {
        return Panache.withSession(() -> ledger.outstandingOfRefused(BATCH))
                .chain(this::release)
                .chain(() -> Panache.withTransaction(() -> ledger.purgeRefusals(Instant.now().minus(keep))));
    }

    private Uni<Void> release(List<String> reservationIds) {
        return InOrder.each(reservationIds, id -> settlement.release(id, null));
    }
}
