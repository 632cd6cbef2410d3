package io.kaizen.governance.service;

import java.time.Instant;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.governance.domain.BudgetReservation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes what a decision leaves behind: its audit event ({@code decision.evaluated} or {@code decision.denied})
 * and, for an allowed call, its ledger reservation and the user's first use of the agent, in one transaction.
 */
@ApplicationScoped
public class DecisionRecorder {

    private static final String SEEN = "insert into agent_user_seen (agent_id, user_id, first_seen_at)"
            + " values (:agent, :user, :now) on conflict do nothing";

    private final Outbox outbox;

    DecisionRecorder(Outbox outbox) {
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Void> allowed(BudgetReservation reservation, GovernanceDecisionEvent event) {
        return reservation.persist()
                .chain(() -> reservation.userId == null ? Uni.createFrom().voidItem()
                        : markSeen(reservation.agentId, reservation.userId))
                .chain(() -> outbox.add(Topics.GOVERNANCE, EventTypes.DECISION_EVALUATED, event.agentId(),
                        event.organizationId(), event))
                .replaceWithVoid();
    }

    @WithTransaction
    public Uni<Void> decided(GovernanceDecisionEvent event, boolean denied) {
        return outbox.add(Topics.GOVERNANCE, denied ? EventTypes.DECISION_DENIED : EventTypes.DECISION_EVALUATED,
                event.agentId(), event.organizationId(), event).replaceWithVoid();
    }

    /** True when the user has never had an invocation of this agent allowed. */
    @WithSession
    public Uni<Boolean> firstInvocation(String agentId, String userId) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select count(*) from agent_user_seen where agent_id = :agent and user_id = :user",
                        Long.class)
                .setParameter("agent", agentId)
                .setParameter("user", userId)
                .getSingleResult())
                .map(count -> count == 0);
    }

    /** Records that the user has invoked the agent; inside the caller's transaction. */
    public Uni<Void> markSeen(String agentId, String userId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(SEEN)
                .setParameter("agent", agentId)
                .setParameter("user", userId)
                .setParameter("now", Instant.now())
                .executeUpdate())
                .replaceWithVoid();
    }
}
