package io.kaizen.lineage.messaging;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.lineage.service.AuditLog;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Appends every event of the suite to the audit log, once; many events per transaction. Once is the audit log's own
 * doing: it chains only events no record holds yet, under the organisation's head lock ({@link AuditLog#append}), so
 * this consumer writes no {@code processed_event} rows — a record is the mark, and it is never purged.
 */
@ApplicationScoped
public class AuditConsumer extends BatchEventConsumer<CloudEvent> {

    private final AuditLog audit;

    private final AuditPublisher publisher;

    AuditConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            AuditLog audit, AuditPublisher publisher) {
        super("audit", mapper, processed, failures, spans);
        this.audit = audit;
        this.publisher = publisher;
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

    /**
     * Both paths, batch and record by record, come here: one transaction, the audit log skipping what it holds; once
     * it has committed, the new records are published ({@link AuditPublisher}).
     */
    @Override
    protected Uni<Void> applyOnce(Map<String, CloudEvent> work) {
        return Panache.withTransaction(() -> apply(List.copyOf(work.values()))).invoke(publisher::wake);
    }
}
