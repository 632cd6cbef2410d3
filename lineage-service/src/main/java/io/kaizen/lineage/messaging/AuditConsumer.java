package io.kaizen.lineage.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.lineage.service.AuditLog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Appends every event of the suite to the audit log, once. */
@ApplicationScoped
public class AuditConsumer extends EventConsumer {

    private final AuditLog audit;

    AuditConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, AuditLog audit) {
        super("audit", mapper, processed, failures);
        this.audit = audit;
    }

    @Incoming("audit")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        return once(event, audit::append);
    }
}
