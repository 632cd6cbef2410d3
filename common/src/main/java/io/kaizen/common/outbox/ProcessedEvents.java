package io.kaizen.common.outbox;

import java.time.Duration;
import java.util.function.Function;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.PoisonEventException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Makes consumers idempotent and patient: the effect of an event runs in the same transaction that records the
 * event id, so a redelivered event (the relay publishes at least once) changes nothing; and a failure that may
 * pass (a database restarting) is retried with back-off, holding the partition, before the record is given up to
 * the dead-letter topic. Poison events go there at once.
 */
@ApplicationScoped
public class ProcessedEvents {

    private static final String MARK = "insert into processed_event (consumer, event_id, processed_at)"
            + " values (:consumer, :eventId, now()) on conflict do nothing";

    private final int attempts;
    private final Duration maxBackOff;

    ProcessedEvents(@ConfigProperty(name = "kaizen.consumer.retry.attempts", defaultValue = "40") int attempts,
            @ConfigProperty(name = "kaizen.consumer.retry.max-back-off", defaultValue = "10s") Duration maxBackOff) {
        this.attempts = attempts;
        this.maxBackOff = maxBackOff;
    }

    public Uni<Void> once(String consumer, CloudEvent event, Function<CloudEvent, Uni<Void>> effect) {
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(MARK)
                        .setParameter("consumer", consumer)
                        .setParameter("eventId", event.id())
                        .executeUpdate())
                .chain(inserted -> inserted == 1 ? effect.apply(event) : Uni.createFrom().voidItem())))
                .onFailure(e -> !(e instanceof PoisonEventException))
                .retry().withBackOff(Duration.ofMillis(250), maxBackOff).atMost(attempts);
    }
}
