package io.kaizen.governance.messaging;

import java.math.BigDecimal;
import java.util.Set;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.governance.budget.BudgetService;
import io.kaizen.governance.service.DecisionRecorder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Settles budget reservations from {@code invocation.*} events, once per event: a completed or failed invocation
 * is settled to its reported cost (zero when the agent was never reached), any other outcome of a reserved
 * invocation releases the reservation.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends EventConsumer {

    static final String CONSUMER = "governance.settlement";
    private static final Set<String> SETTLING = Set.of(EventTypes.INVOCATION_COMPLETED, EventTypes.INVOCATION_FAILED);
    private static final Set<String> NOT_FINAL = Set.of(EventTypes.INVOCATION_ACCEPTED, "kaizen.invocation.held.v1");

    private final BudgetService budgets;
    private final DecisionRecorder recorder;

    InvocationEventsConsumer(ProcessedEvents processed, BudgetService budgets, DecisionRecorder recorder,
            ObjectMapper mapper, FailurePolicy failures) {
        super(CONSUMER, mapper, processed, failures);
        this.budgets = budgets;
        this.recorder = recorder;
    }

    @Incoming("invocations")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        if (NOT_FINAL.contains(event.type())) {
            return Uni.createFrom().voidItem();
        }
        InvocationEvent data = read(event, InvocationEvent.class);
        String reservationId = data.governance() == null ? null : data.governance().reservationId();
        boolean completed = EventTypes.INVOCATION_COMPLETED.equals(event.type());
        String agentId = data.agent() == null ? null : data.agent().id();
        String userId = data.externalUser() == null ? null : data.externalUser().id();
        boolean reachedAgent = completed && agentId != null && userId != null;
        if (reservationId == null && !reachedAgent) {
            return Uni.createFrom().voidItem();
        }
        boolean settle = SETTLING.contains(event.type());
        BigDecimal cost = data.result() == null || data.result().costUsd() == null ? BigDecimal.ZERO
                : data.result().costUsd();
        return once(event, ignored -> (reservationId == null ? Uni.createFrom().voidItem()
                        : budgets.settle(reservationId, settle ? cost : null).replaceWithVoid())
                        // a held call that was approved reaches the agent without a decision of its own
                        .chain(() -> reachedAgent ? recorder.markSeen(agentId, userId) : Uni.createFrom().voidItem()));
    }
}
