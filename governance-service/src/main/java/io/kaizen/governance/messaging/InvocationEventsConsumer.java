package io.kaizen.governance.messaging;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.governance.TokenRates;
import io.kaizen.common.governance.UsdAmount;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.governance.budget.BudgetSettlement;
import io.kaizen.governance.budget.BudgetSettlement.Ending;
import io.kaizen.governance.budget.Charge;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.budget.RefusedInvocations;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.kaizen.governance.trigger.FirstInvocations;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Ends budget reservations from {@code invocation.*} events, once per event, many events per settlement batch
 * ({@link BudgetSettlement#batch}): a completed invocation is settled to the cost its agent reported; else, when it
 * reported token counts, to their price at the agent's current token rates; else to the agent's configured cost
 * (never to a cost the event merely carries); a failed one at zero (the agent was never reached or gave no usable
 * answer); any other outcome releases the reservation. A refusal whose event carries no reservation id because the
 * gateway never learned the decision releases whatever governance reserved for that invocation.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends BatchEventConsumer<InvocationEventsConsumer.Outcome> {

    static final String CONSUMER = "governance.settlement";
    /**
     * The outcomes of an invocation; every other type of the topic ({@code accepted}, {@code held},
     * {@code delivery_settled}) settles nothing and is passed over on its {@code ce_type}.
     */
    private static final Set<String> FINAL = Set.of(EventTypes.INVOCATION_COMPLETED, EventTypes.INVOCATION_FAILED,
            EventTypes.INVOCATION_BLOCKED, EventTypes.INVOCATION_REJECTED, EventTypes.INVOCATION_EXPIRED);

    private final BudgetSettlement settlement;
    private final RefusedInvocations refusals;
    private final FirstInvocations firstInvocations;
    private final GovernanceSnapshots snapshots;

    InvocationEventsConsumer(ProcessedEvents processed, BudgetSettlement settlement, RefusedInvocations refusals,
            FirstInvocations firstInvocations, GovernanceSnapshots snapshots, ObjectMapper mapper,
            FailurePolicy failures, EventSpans spans) {
        super(CONSUMER, mapper, processed, failures, spans);
        this.settlement = settlement;
        this.refusals = refusals;
        this.firstInvocations = firstInvocations;
        this.snapshots = snapshots;
    }

    /**
     * What one final event asks of the budget: {@code completed}/{@code settles} say how its reservation ends,
     * {@code undecided} that the gateway refused the call without governance's answer, {@code reachedAgent} that the
     * user's first use of the agent is to be recorded.
     */
    record Outcome(InvocationEvent data, String reservationId, String agentId, String userId, boolean completed,
            boolean settles, boolean undecided, boolean reachedAgent) {
    }

    @Incoming("invocations")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    @Override
    protected boolean handles(String type) {
        return FINAL.contains(type);
    }

    @Override
    protected Optional<Outcome> decode(CloudEvent event) {
        if (!FINAL.contains(event.type())) {
            return Optional.empty();
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
        // a held call that was approved reaches the agent without a decision of its own
        boolean reachedAgent = completed && agentId != null && userId != null;
        if (reservationId == null && !reachedAgent && !undecided) {
            return Optional.empty();
        }
        return Optional.of(new Outcome(data, reservationId, agentId, userId, completed, settles, undecided,
                reachedAgent));
    }

    /** The tally steps of a batch follow the commit of the transaction that records its events as processed. */
    @Override
    protected Uni<Void> applyOnce(Map<String, Outcome> work) {
        return settlement.batch(() -> super.applyOnce(work));
    }

    @Override
    protected Uni<Void> apply(List<Outcome> outcomes) {
        Instant now = Instant.now();
        List<Uni<List<Ending>>> endings = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            endings.add(endings(outcome, now));
        }
        return Multi.createFrom().iterable(endings)
                .onItem().transformToUniAndConcatenate(ending -> ending)
                .collect().in(ArrayList<Ending>::new, List::addAll)
                .chain(all -> all.isEmpty() ? Uni.createFrom().voidItem() : settlement.end(all).replaceWithVoid())
                .chain(() -> markSeen(outcomes));
    }

    /** How an event ends reservations: those a refusal left held, or its own. */
    private Uni<List<Ending>> endings(Outcome outcome, Instant now) {
        if (outcome.undecided()) {
            return Uni.createFrom().deferred(() -> refusals.refused(outcome.data().invocationId(), outcome.agentId(),
                    now)).map(ids -> ids.stream().map(id -> Ending.release(id, null)).toList());
        }
        String reservationId = outcome.reservationId();
        if (reservationId == null) {
            return Uni.createFrom().item(List.of());
        }
        if (!outcome.settles()) {
            return Uni.createFrom().item(List.of(Ending.release(reservationId, outcome.agentId())));
        }
        if (!outcome.completed()) {
            // a call the gateway lost track of may still have reached the agent: charged like the sweeper's guess
            Charge charge = outcome.data().result() != null
                    && InvocationEvent.OUTCOME_UNKNOWN.equals(outcome.data().result().errorCode())
                    ? Charge.ESTIMATE : Charge.FAILED;
            return Uni.createFrom().item(List.of(Ending.settle(reservationId, outcome.agentId(), charge)));
        }
        return Uni.createFrom().deferred(() -> charge(outcome.data()))
                .map(charge -> List.of(Ending.settle(reservationId, outcome.agentId(), charge)));
    }

    /**
     * First uses of agents, each once and in order, so concurrent batches never wait for each other in a cycle. A use
     * this replica journaled with an allowed decision is recorded already and is not written again.
     */
    private Uni<Void> markSeen(List<Outcome> outcomes) {
        TreeSet<Map.Entry<String, String>> seen = new TreeSet<>(Map.Entry.<String, String>comparingByKey()
                .thenComparing(Map.Entry.comparingByValue()));
        outcomes.stream().filter(Outcome::reachedAgent)
                .filter(outcome -> !firstInvocations.journaled(outcome.agentId(), outcome.userId()))
                .forEach(outcome -> seen.add(Map.entry(outcome.agentId(), outcome.userId())));
        return InOrder.each(seen, use -> firstInvocations.markSeen(use.getKey(), use.getValue()));
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
