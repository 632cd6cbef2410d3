package io.kaizen.lineage.messaging;

import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.lineage.service.LineageService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Merges each {@code invocation.*} event into its invocation's lineage row, once; many events per transaction. The
 * relay keys these events by invocation id, so one invocation's events reach one consumer, in their partition's order.
 */
@ApplicationScoped
public class InvocationEventsConsumer extends BatchEventConsumer<LineageService.Fact> {

    private final LineageService lineage;

    InvocationEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures,
            LineageService lineage) {
        super("lineage", mapper, processed, failures);
        this.lineage = lineage;
    }

    @Incoming("invocations")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    @Override
    protected Optional<LineageService.Fact> decode(CloudEvent event) {
        InvocationEvent data = read(event, InvocationEvent.class);
        if (data.invocationId() == null || data.organizationId() == null || data.agent() == null) {
            throw new PoisonEventException("invocation event " + event.id() + " lacks its ids");
        }
        return Optional.of(new LineageService.Fact(event.type(), event.time(), data));
    }

    @Override
    protected Uni<Void> apply(List<LineageService.Fact> events) {
        return lineage.record(events);
    }
}
