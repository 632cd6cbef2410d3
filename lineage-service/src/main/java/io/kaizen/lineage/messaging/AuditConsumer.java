package io.kaizen.lineage.messaging;

import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.lineage.service.AuditLog;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/** Appends every event of the suite to the audit log, once; many events per transaction. */
@ApplicationScoped
public class AuditConsumer extends BatchEventConsumer<CloudEvent> {

    private final AuditLog audit;

    AuditConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            AuditLog audit) {
        super("audit", mapper, processed, failures, spans);
        this.audit = audit;
    }

    @Incoming("audit")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    @Override
    protected Optional<CloudEvent> decode(CloudEvent event) {
        return Optional.of(event);
    }

    @Override
    protected Uni<Void> apply(List<CloudEvent> events) {
        return audit.append(events);
    }
}
