package io.kaizen.governance.messaging;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.governance.budget.BudgetSettlement;
import io.kaizen.governance.budget.Charge;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.budget.RefusedInvocations;
import io.kaizen.governance.trigger.FirstInvocations;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ends budget reservations from {@code invocation.*} events, once per event: a completed invocation is settled to
 * the cost its agent reported, or to the agent's configured cost when it reported none (never to a cost the event
 * merely carries); a failed one at zero (the agent was never reached or gave no usable answer); any other outcome
 * releases the reservation. A refusal whose event carries no reservation id because the gateway never learned the
 * decision releases whatever governance reserved for that invocation.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends EventConsumer {

    static final String CONSUMER = "governance.settlement";
    private static final Set<String> NOT_FINAL = Set.of(EventTypes.INVOCATION_ACCEPTED, EventTypes.INVOCATION_HELD);

    private final BudgetSettlement settlement;
    private final RefusedInvocations refusals;
    private final FirstInvocations firstInvocations;

    InvocationEventsConsumer(ProcessedEvents processed, BudgetSettlement settlement, RefusedInvocations refusals,
            FirstInvocations firstInvocations, ObjectMapper mapper, FailurePolicy failures) {
        super(CONSUMER, mapper, processed, failures);
        this.settlement = settlement;
        this.refusals = refusals;
        this.firstInvocations = firstInvocations;
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
        boolean settles = completed || EventTypes.INVOCATION_FAILED.equals(event.type());
        // the gateway refused the call without governance's answer (it timed out waiting, or could not ask)
        boolean undecided = !settles && reservationId == null && data.invocationId() != null
                && (data.governance() == null || data.governance().decisionId() == null);
        String agentId = data.agent() == null ? null : data.agent().id();
        String userId = data.externalUser() == null ? null : data.externalUser().id();
        boolean reachedAgent = completed && agentId != null && userId != null;
        if (reservationId == null && !reachedAgent && !undecided) {
            return Uni.createFrom().voidItem();
        }
        return once(event, ignored -> end(data, reservationId, agentId, completed, settles, undecided)
                // a held call that was approved reaches the agent without a decision of its own
                .chain(() -> reachedAgent ? firstInvocations.markSeen(agentId, userId) : Uni.createFrom().voidItem()));
    }

    private Uni<Void> end(InvocationEvent data, String reservationId, String agentId, boolean completed,
            boolean settles, boolean undecided) {
        if (undecided) {
            return refusals.refused(data.invocationId(), agentId, Instant.now());
        }
        if (reservationId == null) {
            return Uni.createFrom().voidItem();
        }
        if (!settles) {
            return settlement.release(reservationId, agentId).replaceWithVoid();
        }
        return settlement.settle(reservationId, agentId, completed ? charge(data) : Charge.FAILED).replaceWithVoid();
    }

    /** The agent's reported cost when it is a usable amount; otherwise the agent's configured cost. */
    private static Charge charge(InvocationEvent data) {
        BigDecimal reported = data.result() == null ? null : data.result().reportedCostUsd();
        if (!UsdAmount.inRange(reported)) {
            return Charge.CONFIGURED;
        }
        return Charge.reported(Money.usd(Money.actualMicros(reported)));
    }
}
