package io.kaizen.governance.journal;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;

/**
 * One entry of an agent's decision journal: what a decision leaves for the ledger, written to Redis before the
 * decision is answered and to PostgreSQL by {@link DecisionJournal}'s flush. Any part may be null: the reservation
 * of an admitted call (written by the decision's Lua script, atomically with its hold), the reservation a decision
 * gave back, the user's first use of the agent, and the decision's event as an outbox row.
 */
public record JournalEntry(Reservation reservation, String released, Seen seen, Event event) {

    public static JournalEntry of(Reservation reservation) {
        return new JournalEntry(reservation, null, null, null);
    }

    /**
     * A ledger reservation as an allowed decision holds it ({@code status = reserved}). An entry journaled before
     * weekly budgets existed has no {@code weekStart}: it gets the UTC Monday of its day (no weekly tally held it).
     */
    public record Reservation(String id, String organizationId, String agentId, String userId, String decisionId,
            String invocationId, BigDecimal estimateUsd, BigDecimal configuredCostUsd, LocalDate monthStart,
            LocalDate weekStart, LocalDate dayStart, boolean orgReserved, Instant reservedAt) {

        public Reservation {
            if (weekStart == null && dayStart != null) {
                weekStart = dayStart.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            }
        }
    }

    /** A user's first allowed invocation of an agent ({@code agent_user_seen}). */
    public record Seen(String agentId, String userId, Instant at) {
    }

    /**
     * An outbox row ({@code outbox_event}) with the id it keeps through every replay, and the trace context of the
     * decision (null in entries journaled before traces were kept).
     */
    public record Event(String id, String topic, String type, String key, String source, String organizationId,
            Instant occurredAt, String payload, String traceparent, String tracestate) {
    }
}
