package io.kaizen.common.outbox;

import java.util.function.Function;

import io.kaizen.common.events.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes consumers idempotent: the effect of an event runs in the same transaction that records the event id, so a
 * redelivered event (the relay publishes at least once, a dead letter may be replayed) changes nothing. Failures
 * are the caller's to handle ({@code consumer.FailurePolicy}).
 */
@ApplicationScoped
public class ProcessedEvents {

    private static final String MARK = "insert into processed_event (consumer, event_id, processed_at)"
            + " values (:consumer, :eventId, now()) on conflict do nothing";

    public Uni<Void> once(String consumer, CloudEvent event, Function<CloudEvent, Uni<Void>> effect) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(MARK)
                        .setParameter("consumer", consumer)
                        .setParameter("eventId", event.id())
                        .executeUpdate())
                .chain(inserted -> inserted == 1 ? effect.apply(event) : Uni.createFrom().voidItem()));
    }
}
