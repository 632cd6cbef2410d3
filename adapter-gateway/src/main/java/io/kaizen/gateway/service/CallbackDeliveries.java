package io.kaizen.gateway.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import io.kaizen.common.events.DeliveryEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.Invocation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@link Deliveries#CALLBACK} kind of delivery: sent with its stored headers, and its end told on
 * {@code kaizen.invocations.v1} as {@code kaizen.invocation.delivery_settled.v1}, keyed by the invocation id and
 * written in the transaction that records the end, so lineage shows how the answer's delivery stands
 * ({@code delivery_status}). A replayed delivery that ends again is told again.
 */
@ApplicationScoped
public class CallbackDeliveries implements DeliveryKind {

    /** The {@code result.delivery_status} of a final event whose callback is stored with it. */
    public static final String PENDING = Delivery.PENDING;

    private final Outbox outbox;

    CallbackDeliveries(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String kind() {
        return Deliveries.CALLBACK;
    }

    @Override
    public Uni<Map<String, String>> headers(Delivery delivery, Map<String, String> stored, Instant now) {
        return Uni.createFrom().item(stored);
    }

    @Override
    public Uni<Void> settled(Delivery delivery, String status, String error) {
        if (delivery.invocationId == null) {
            return Uni.createFrom().voidItem();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // the agent lets lineage place the event even before the invocation's own events reached it
        return Invocation.<Invocation>findById(delivery.invocationId)
                .chain(invocation -> outbox.add(Topics.INVOCATIONS, EventTypes.INVOCATION_DELIVERY_SETTLED,
                        delivery.invocationId, delivery.organizationId,
                        new DeliveryEvent(delivery.id, delivery.invocationId, delivery.organizationId,
                                invocation == null ? null : invocation.agentId, delivery.kind, status,
                                delivery.attempts + 1, now)))
                .replaceWithVoid();
    }
}
