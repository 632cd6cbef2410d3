package io.kaizen.gateway.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.BatchEventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.gateway.service.Deliveries;
import io.kaizen.gateway.service.WebhookEvents;
import io.kaizen.gateway.service.Webhooks;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns the suite's events into organisation webhook deliveries: agents (and {@code webhook.disabled}),
 * invocations, budget thresholds and approvals. A type outside the webhook catalogue (such as
 * {@code decision.denied}) is passed over on its {@code ce_type} header, unread. Records come in batches: one read
 * finds which events of a batch any webhook takes — most take none (one event per invoke, of organisations without
 * webhooks), and are neither read further nor recorded. The deliveries of the others are written in the transaction
 * that marks them processed, so a redelivered event adds none.
 */
@ApplicationScoped
public class WebhookEventsConsumer extends BatchEventConsumer<CloudEvent> {

    private final Webhooks webhooks;
    private final Deliveries deliveries;

    WebhookEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            Webhooks webhooks, Deliveries deliveries) {
        super("adapter-gateway.webhooks", mapper, processed, failures, spans);
        this.webhooks = webhooks;
        this.deliveries = deliveries;
    }

    @Incoming("webhook-events")
    public Uni<Void> consume(KafkaRecordBatch<String, String> batch) {
        return handleBatch(batch);
    }

    @Override
    protected boolean handles(String type) {
        return WebhookEvents.subscribable(type);
    }

    @Override
    protected Optional<CloudEvent> decode(CloudEvent event) {
        // no organisation, no webhook to tell
        return event.organizationId() == null ? Optional.empty() : Optional.of(event);
    }

    /**
     * The events some webhook takes now are recorded and fired; whether one takes each is decided again in the
     * transaction that records it ({@link Webhooks#fire}).
     */
    @Override
    protected Uni<Void> applyOnce(Map<String, CloudEvent> work) {
        return webhooks.taken(List.copyOf(work.values())).chain(taken -> {
            Map<String, CloudEvent> todo = new LinkedHashMap<>(work);
            todo.keySet().retainAll(taken);
            return todo.isEmpty() ? Uni.createFrom().voidItem() : super.applyOnce(todo).invoke(deliveries::wake);
        });
    }

    @Override
    protected Uni<Void> apply(List<CloudEvent> events) {
        return InOrder.each(events, event -> webhooks.fire(event, read(event, JsonNode.class)));
    }
}
