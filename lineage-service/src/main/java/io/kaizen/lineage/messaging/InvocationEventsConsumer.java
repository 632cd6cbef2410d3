package io.kaizen.lineage.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.lineage.service.LineageService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns each {@code invocation.*} event into the invocation's lineage row, once. */
@ApplicationScoped
public class InvocationEventsConsumer {

    private final ProcessedEvents processed;
    private final LineageService lineage;
    private final ObjectMapper mapper;

    InvocationEventsConsumer(ProcessedEvents processed, LineageService lineage, ObjectMapper mapper) {
        this.processed = processed;
        this.lineage = lineage;
        this.mapper = mapper;
    }

    @Incoming("invocations")
    public Uni<Void> consume(ConsumerRecord<String, String> record) {
        CloudEvent event = CloudEvent.from(record);
        InvocationEvent data = read(event);
        return processed.once("lineage", event, ignored -> lineage.record(data));
    }

    private InvocationEvent read(CloudEvent event) {
        try {
            InvocationEvent data = mapper.readValue(event.data(), InvocationEvent.class);
            if (data.invocationId() == null || data.organizationId() == null || data.agent() == null) {
                throw new PoisonEventException("invocation event " + event.id() + " lacks its ids");
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("invocation event " + event.id() + " is not readable: " + e.getOriginalMessage());
        }
    }
}
