package io.kaizen.common.outbox;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.ids.PrefixedId;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records events for publication. Call it inside the transaction that changes the state the event describes;
 * {@link OutboxRelay} publishes after commit, so there is never an event without its state or state without its
 * event.
 */
@ApplicationScoped
public class Outbox {

    private final ObjectMapper mapper;
    private final String source;

    Outbox(ObjectMapper mapper, @ConfigProperty(name = "quarkus.application.name") String application) {
        this.mapper = mapper;
        this.source = "/kaizen/" + application;
    }

    public Uni<CloudEvent> add(String topic, String type, String key, String organizationId, Object data) {
        CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), source, type, key, organizationId,
                Instant.now(), json(data));
        OutboxEvent row = new OutboxEvent();
        row.id = event.id();
        row.topic = topic;
        row.key = key;
        row.type = type;
        row.source = source;
        row.subject = key;
        row.organizationId = organizationId;
        row.occurredAt = event.time();
        row.payload = event.data();
        return row.persist().replaceWith(event);
    }

    private String json(Object data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not serialisable: " + data.getClass().getName(), e);
        }
    }
}
