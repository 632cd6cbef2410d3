package io.kaizen.gateway.service;

import java.time.Instant;
import java.util.Map;

import io.kaizen.gateway.domain.Delivery;
import io.smallrye.mutiny.Uni;

/**
 * What one kind of delivery ({@link Delivery#kind}) adds to {@link DeliveryDispatcher}: headers made at each attempt
 * (a signature over the attempt's time, so a retry hours later is not refused as a replay), and word of the
 * delivery's final outcome. A kind without such a bean is sent with its stored headers.
 */
public interface DeliveryKind {

    /** The kind served. */
    String kind();

    /**
     * The headers of the attempt at {@code now}: the stored ones completed. Runs on a Vert.x context of its own, with
     * no session open; a failure fails the attempt as a connection error would (it is retried).
     */
    Uni<Map<String, String>> headers(Delivery delivery, Map<String, String> stored, Instant now);

    /**
     * The delivery ended {@code status} ({@link Delivery#DELIVERED}, {@link Delivery#FAILED} or
     * {@link Delivery#EXHAUSTED}): called inside the transaction that records it.
     */
    Uni<Void> settled(Delivery delivery, String status, String error);
}
