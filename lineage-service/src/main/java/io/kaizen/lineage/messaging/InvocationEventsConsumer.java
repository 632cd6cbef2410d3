package io.kaizen.lineage.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.lineage.service.LineageService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns each {@code invocation.*} event into the invocation's lineage row, once. */
@ApplicationScoped
public class InvocationEventsConsumer extends EventConsumer {

    private final LineageService lineage;

    InvocationEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures,
            LineageService lineage) {
        super("lineage", mapper, processed, failures);
        this.lineage = lineage;
    }

    @Incoming("invocations")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        InvocationEvent data = read(event, InvocationEvent.class);
        if (data.invocationId() == null || data.organizationId() == null || data.agent() == null) {
            throw new PoisonEventException("invocation event " + event.id() + " lacks its ids");
        }
        return once(event, ignored -> lineage.record(data));
    }
}
