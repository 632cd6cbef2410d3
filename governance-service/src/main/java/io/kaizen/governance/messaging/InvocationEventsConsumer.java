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
import io.kaizen.common.governance.TokenRates;
import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.governance.budget.BudgetSettlement;
import io.kaizen.governance.budget.Charge;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.budget.RefusedInvocations;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.kaizen.governance.trigger.FirstInvocations;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ends budget reservations from {@code invocation.*} events, once per event: a completed invocation is settled to
 * the cost its agent reported; else, when it reported token counts, to their price at the agent's current token
 * rates; else to the agent's configured cost (never to a cost the event merely carries); a failed one at zero (the
 * agent was never reached or gave no usable answer); any other outcome releases the reservation. A refusal whose
 * event carries no reservation id because the gateway never learned the decision releases whatever governance
 * reserved for that invocation.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends EventConsumer {

    static final String CONSUMER = "governance.settlement";
    private static final Set<String> NOT_FINAL = Set.of(EventTypes.INVOCATION_ACCEPTED, EventTypes.INVOCATION_HELD);

    private final BudgetSettlement settlement;
    private final RefusedInvocations refusals;
    private final FirstInvocations firstInvocations;
    private final GovernanceSnapshots snapshots;

    InvocationEventsConsumer(ProcessedEvents processed, BudgetSettlement settlement, RefusedInvocations refusals,
            FirstInvocations firstInvocations, GovernanceSnapshots snapshots, ObjectMapper mapper,
            FailurePolicy failures) {
        super(CONSUMER, mapper, processed, failures);
        this.settlement = settlement;
        this.refusals = refusals;
        this.firstInvocations = firstInvocations;
        this.snapshots = snapshots;
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
        if (!completed) {
            return settlement.settle(reservationId, agentId, Charge.FAILED).replaceWithVoid();
        }
        return charge(data).chain(charge -> settlement.settle(reservationId, agentId, charge)).replaceWithVoid();
    }

    /**
     * The agent's reported cost when it is a usable amount; else the price of its believable token counts (either
     * one) at the agent's token rates as governance holds them now; otherwise the agent's configured cost.
     */
    private Uni<Charge> charge(InvocationEvent data) {
        InvocationEvent.Result result = data.result();
        BigDecimal reported = result == null ? null : result.reportedCostUsd();
        if (UsdAmount.inRange(reported)) {
            return Uni.createFrom().item(Charge.reported(Money.usd(Money.actualMicros(reported))));
        }
        Long input = result != null && TokenRates.believable(result.inputTokens()) ? result.inputTokens() : null;
        Long output = result != null && TokenRates.believable(result.outputTokens()) ? result.outputTokens() : null;
        if ((input == null && output == null) || data.agent() == null || data.agent().id() == null) {
            return Uni.createFrom().item(Charge.CONFIGURED);
        }
        return snapshots.agent(data.agent().id(), data.organizationId())
                .map(governance -> Charge.tokens(governance.budget().tokenRates().price(input, output)));
    }
}
