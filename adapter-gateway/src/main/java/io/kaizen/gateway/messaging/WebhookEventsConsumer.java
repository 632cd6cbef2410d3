package io.kaizen.gateway.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.gateway.service.Deliveries;
import io.kaizen.gateway.service.WebhookEvents;
import io.kaizen.gateway.service.Webhooks;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns the suite's events into organisation webhook deliveries: agents (and {@code webhook.disabled}),
 * invocations, budget thresholds and approvals. A type outside the webhook catalogue (such as
 * {@code decision.denied}) is passed over on its {@code ce_type} header, unread. The deliveries
 * of an event are written in the transaction that marks it processed, so a redelivered event adds none; an event no
 * webhook takes (an organisation without webhooks) costs one read and is not recorded.
 */
@ApplicationScoped
public class WebhookEventsConsumer extends EventConsumer {

    private final Webhooks webhooks;
    private final Deliveries deliveries;

    WebhookEventsConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            Webhooks webhooks, Deliveries deliveries) {
        super("adapter-gateway.webhooks", mapper, processed, failures, spans);
        this.webhooks = webhooks;
        this.deliveries = deliveries;
    }

    @Incoming("webhook-events")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected boolean handles(String type) {
        return WebhookEvents.subscribable(type);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        if (event.organizationId() == null) {
            // no organisation, no webhook to tell
            return Uni.createFrom().voidItem();
        }
        // an event no webhook takes changes nothing (it is neither read nor recorded as processed); whether one takes
        // it is decided again in the transaction that records it
        return webhooks.anySubscriber(event).chain(any -> any
                ? once(event, ignored -> webhooks.fire(event, read(event, JsonNode.class))).invoke(deliveries::wake)
                : Uni.createFrom().voidItem());
    }
}
