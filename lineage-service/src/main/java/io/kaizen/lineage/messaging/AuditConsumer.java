package io.kaizen.lineage.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.lineage.service.AuditLog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Appends every event of the suite to the audit log, once. */
@ApplicationScoped
public class AuditConsumer {

    private final ProcessedEvents processed;
    private final AuditLog audit;

    AuditConsumer(ProcessedEvents processed, AuditLog audit) {
        this.processed = processed;
        this.audit = audit;
    }

    @Incoming("audit")
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        return processed.once("audit", CloudEvent.from(record), audit::append);
    }
}
