package io.kaizen.lineage.messaging;

import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.DeliveryEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.lineage.service.LineageService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Merges into each invocation's lineage row, once and many events per transaction, what the suite's events say of
 * it: the {@code invocation.*} events (and {@code invocation.delivery_settled}) of {@code kaizen.invocations.v1},
 * governance's decisions ({@code kaizen.governance.v1}) and the steps of its approval request
 * ({@code kaizen.approvals.v1}). Every other type of those topics — policies, settings, budget alerts — is passed over
 * on its {@code ce_type}. The relay keys invocation events by invocation id, so one invocation's events reach one
 * consumer in their partition's order; decisions and approvals come on other keys, in any order, and the merge does
 * not depend on it.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends BatchEventConsumer<LineageService.Fact> {

    private static final String INVOCATION = "kaizen.invocation.";
    private static final String APPROVAL = "kaizen.approval.";

    private final LineageService lineage;

    InvocationEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            LineageService lineage) {
        super("lineage", mapper, processed, failures, spans);
        this.lineage = lineage;
    }

    @Incoming("invocations")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    @Override
    protected boolean handles(String type) {
        return type.startsWith(INVOCATION) || type.startsWith(APPROVAL) || EventTypes.DECISION_EVALUATED.equals(type)
                || EventTypes.DECISION_DENIED.equals(type);
    }

    @Override
    protected Optional<LineageService.Fact> decode(CloudEvent event) {
        String type = event.type() == null ? "" : event.type();
        if (EventTypes.DECISION_EVALUATED.equals(type) || EventTypes.DECISION_DENIED.equals(type)) {
            GovernanceDecisionEvent data = read(event, GovernanceDecisionEvent.class);
            if (data.invocationId() == null || data.budget() == null && data.rateLimit() == null) {
                // a decision no invocation asked for has no row; one without a budget or rate window (a hold,
                // governance unavailable) tells nothing the invocation's own events do not: neither costs a write
                return Optional.empty();
            }
            requireIds(event, data.organizationId(), data.agentId());
            return Optional.of(new LineageService.Decided(event.time(), data));
        }
        if (type.startsWith(APPROVAL)) {
            ApprovalEvent data = read(event, ApprovalEvent.class);
            if (data.invocationIds() == null || data.invocationIds().isEmpty()) {
                return Optional.empty();
            }
            requireIds(event, data.organizationId(), data.approvalRequestId());
            if (data.invocationIds().stream().anyMatch(id -> id == null)) {
                throw new PoisonEventException("approval event " + event.id() + " names a null invocation");
            }
            return Optional.of(new LineageService.Approval(event.time(), data));
        }
        if (EventTypes.INVOCATION_DELIVERY_SETTLED.equals(type)) {
            DeliveryEvent data = read(event, DeliveryEvent.class);
            requireIds(event, data.organizationId(), data.invocationId());
            return Optional.of(new LineageService.Delivered(event.time(), data));
        }
        InvocationEvent data = read(event, InvocationEvent.class);
        if (data.invocationId() == null || data.organizationId() == null || data.agent() == null) {
            throw new PoisonEventException("invocation event " + event.id() + " lacks its ids");
        }
        return Optional.of(new LineageService.Invoked(event.type(), event.time(), data));
    }

    private static void requireIds(CloudEvent event, String... ids) {
        for (String id : ids) {
            if (id == null) {
                throw new PoisonEventException("event " + event.id() + " of type " + event.type() + " lacks its ids");
            }
        }
    }

    @Override
    protected Uni<Void> apply(List<LineageService.Fact> events) {
        return lineage.record(events);
    }
}
