package io.kaizen.common.outbox;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.persistence.JsonIds;
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
    /**
     * Records many events as processed and answers those that were not. The ids travel as one JSON array
     * ({@link JsonIds}).
     */
    private static final String MARK_ALL = "insert into processed_event (consumer, event_id, processed_at)"
            + " select :consumer, id, now() from " + JsonIds.rows("ids") + " as id"
            + " on conflict do nothing returning event_id";

    public Uni<Void> once(String consumer, CloudEvent event, Function<CloudEvent, Uni<Void>> effect) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(MARK)
                        .setParameter("consumer", consumer)
                        .setParameter("eventId", event.id())
                        .executeUpdate())
                .chain(inserted -> inserted == 1 ? effect.apply(event) : Uni.createFrom().voidItem()));
    }

    /**
     * As {@link #once}, for many events in one transaction: {@code work} maps each event id to what the event asks
     * for, and {@code effect} gets, in that order, the work of the events not processed before.
     */
    public <T> Uni<Void> onceEach(String consumer, Map<String, T> work, Function<List<T>, Uni<Void>> effect) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(MARK_ALL, String.class)
                        .setParameter("consumer", consumer)
                        .setParameter("ids", JsonIds.json(work.keySet()))
                        .getResultList())
                .chain(marked -> {
                    Set<String> fresh = new HashSet<>(marked);
                    List<T> todo = work.entrySet().stream()
                            .filter(entry -> fresh.contains(entry.getKey()))
                            .map(Map.Entry::getValue)
                            .toList();
                    return todo.isEmpty() ? Uni.createFrom().voidItem() : effect.apply(todo);
                }));
    }
}
