package io.kaizen.lineage.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

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
import io.kaizen.lineage.service.AuditLog;
import io.kaizen.lineage.service.LineageService;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Takes every event of the suite once, many per batch, for both of lineage-service's records: each event is chained to
 * its organisation's audit log ({@link AuditLog}), and what an event says of an invocation is merged into that
 * invocation's lineage row ({@link LineageService}): the {@code invocation.*} events (and
 * {@code invocation.delivery_settled}) of {@code kaizen.invocations.v1}, governance's decisions
 * ({@code kaizen.governance.v1}) and the steps of its approval request ({@code kaizen.approvals.v1}). Agents, keys,
 * policies, settings and budget alerts are audited only. The relay keys invocation events by invocation id, so one
 * invocation's events reach one consumer in their partition's order; decisions and approvals come on other keys, in
 * any order, and the merge does not depend on it.
 * <p>
 * One consumer for both, so each record is fetched, held and read once. A batch is two transactions: the audit
 * records first, then the lineage rows. The audit log holds every event whose envelope is readable, also one that
 * lineage cannot use (unreadable data, missing ids, an invocation of another organisation, a value the database
 * refuses): such an event is chained, and then dead-lettered for lineage alone, so that a replay of it, once the cause
 * is gone, writes its row and is skipped by the audit log, which skips any event a record already holds. A crash
 * between the two transactions redelivers the batch, and the same holds.
 */
@ApplicationScoped
public class EventsConsumer extends BatchEventConsumer<EventsConsumer.Work> {

    private static final String INVOCATION = "kaizen.invocation.";
    private static final String APPROVAL = "kaizen.approval.";

    /**
     * An event, what it says of an invocation (null when nothing: another type, or a decision no invocation asked
     * for) and, when lineage cannot use it, why.
     */
    public record Work(CloudEvent event, LineageService.Fact fact, PoisonEventException refusal) {
    }

    private final LineageService lineage;
    private final AuditLog audit;
    private final AuditPublisher publisher;

    EventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            LineageService lineage, AuditLog audit, AuditPublisher publisher) {
        super("lineage", mapper, processed, failures, spans);
        this.lineage = lineage;
        this.audit = audit;
        this.publisher = publisher;
    }

    @Incoming("events")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    /** Every event is audited; its fact, or why lineage refuses it, goes with it. */
    @Override
    protected Optional<Work> decode(CloudEvent event) {
        try {
            return Optional.of(new Work(event, fact(event).orElse(null), null));
        } catch (PoisonEventException refusal) {
            return Optional.of(new Work(event, null, refusal));
        }
    }

    private Optional<LineageService.Fact> fact(CloudEvent event) {
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
        if (!type.startsWith(INVOCATION)) {
            return Optional.empty();
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

    /** The lineage part: the facts of events not merged before, in the transaction that marks them processed. */
    @Override
    protected Uni<Void> apply(List<Work> work) {
        return lineage.record(work.stream().map(Work::fact).toList());
    }

    /**
     * Both paths, batch and record by record, come here. The audit records are committed first and published once
     * committed ({@link AuditPublisher}); then the facts are merged, each event once ({@code processed_event}); then
     * an event lineage refused fails the batch, whose records go one by one: each is skipped by the audit log and by
     * the merge, and the refused one is dead-lettered with its reason.
     */
    @Override
    protected Uni<Void> applyOnce(Map<String, Work> work) {
        List<CloudEvent> events = work.values().stream().map(Work::event).toList();
        Map<String, Work> facts = new LinkedHashMap<>();
        work.forEach((id, item) -> {
            if (item.fact() != null) {
                facts.put(id, item);
            }
        });
        List<PoisonEventException> refused = work.values().stream().map(Work::refusal).filter(r -> r != null)
                .toList();
        return Panache.withTransaction(() -> audit.append(events)).invoke(publisher::wake)
                .chain(() -> facts.isEmpty() ? Uni.createFrom().voidItem() : onceEach(facts, this::apply))
                .chain(() -> refused.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(refused.size() == 1 ? refused.get(0)
                                : new PoisonEventException(refused.stream().map(Throwable::getMessage)
                                        .collect(Collectors.joining("; ")))));
    }
}
