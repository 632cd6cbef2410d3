package io.kaizen.gateway.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.rest.Paging;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.config.DeliveryConfig;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.DeliveryAttempt;
import io.kaizen.gateway.domain.Invocation;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Outbound requests the gateway owes (result callbacks, notifications): stored first, then sent, retried and logged
 * by {@link DeliveryDispatcher}; read and replayed through the deliveries API.
 */
@ApplicationScoped
public class Deliveries {

    /** A delivery of an invocation's result to the {@code callback_url} its caller gave. */
    public static final String CALLBACK = "callback";
    /** A message to a notification channel. */
    public static final String NOTIFICATION = "notification";
    /** An event to an organisation webhook ({@link Webhooks}). */
    public static final String WEBHOOK = "webhook";

    /**
     * What to deliver.
     *
     * @param invocationId the invocation it belongs to, or null
     * @param kind         {@link #CALLBACK}, {@link #NOTIFICATION}, …
     * @param platform     the platform key whose published rate throttles the destination ({@code slack}, …), or
     *                     null for a plain HTTP destination
     * @param request      the POST to send, as an adapter renders it (or a {@code mailto:} or {@code agent:}
     *                     destination, see {@link DeliveryChannels})
     * @param notificationId the notification it tells, unique in the organisation, or null
     */
    public record NewDelivery(String organizationId, String invocationId, String kind, String platform,
            OutboundRequest request, String notificationId) {

        public NewDelivery(String organizationId, String invocationId, String kind, String platform,
                OutboundRequest request) {
            this(organizationId, invocationId, kind, platform, request, null);
        }
    }

    /** A delivery with its attempts, oldest first. */
    public record DeliveryLog(Delivery delivery, List<DeliveryAttempt> attempts) {
    }

    /** One page of an organisation's deliveries, newest first, each with its attempts. */
    public record DeliveryPage(List<DeliveryLog> items, long total, Paging paging) {
    }

    /** What a replay came to. */
    public sealed interface Replay {
        record Replayed(DeliveryLog delivery) implements Replay {
        }

        record NotFound() implements Replay {
        }

        /** Pending or delivered: nothing to replay. */
        record NotReplayable(String status) implements Replay {
        }
    }

    private final DeliveryDispatcher dispatcher;
    private final DeliveryConfig config;
    private final ObjectMapper mapper;

    Deliveries(DeliveryDispatcher dispatcher, DeliveryConfig config, ObjectMapper mapper) {
        this.dispatcher = dispatcher;
        this.config = config;
        this.mapper = mapper;
    }

    /**
     * Stores a delivery, due now. Inside a transaction (the caller's {@code Panache.withTransaction}) it is written
     * in that transaction, so it exists if and only if the caller's rows do; the caller then calls {@link #wake()}
     * after the commit to have it sent at once (else the dispatcher finds it within
     * {@code kaizen.deliveries.poll-interval}). Outside a transaction it is written in one of its own, and sending
     * starts as soon as that committed.
     */
    public Uni<Delivery> enqueue(NewDelivery request) {
        // Panache fails the lookup when the context has no session at all: then there is no caller's transaction
        return Uni.createFrom().deferred(Panache::currentTransaction)
                .onFailure(IllegalStateException.class).recoverWithNull()
                .chain(transaction -> transaction != null
                ? persist(request)
                : Panache.withTransaction(() -> persist(request)).invoke(dispatcher::wake));
    }

    /** Has the dispatcher look for due deliveries now (after a commit that enqueued some). */
    public void wake() {
        dispatcher.wake();
    }

    private Uni<Delivery> persist(NewDelivery request) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Delivery delivery = new Delivery();
        delivery.id = PrefixedId.next(PrefixedId.DELIVERY);
        delivery.organizationId = request.organizationId();
        delivery.invocationId = request.invocationId();
        delivery.kind = request.kind();
        delivery.notificationId = request.notificationId();
        delivery.platform = request.platform();
        delivery.destinationUrl = request.request().url();
        delivery.headers = json(request.request().headers());
        delivery.body = request.request().body();
        delivery.status = Delivery.PENDING;
        delivery.attempts = 0;
        delivery.attemptsLeft = config.maxAttempts();
        delivery.nextAttemptAt = now;
        delivery.createdAt = now;
        delivery.updatedAt = now;
        return delivery.<Delivery>persist();
    }

    /**
     * The deliveries of an invocation of the organisation, each with its attempts; empty when the organisation
     * has neither such an invocation nor deliveries of it.
     */
    public Uni<Optional<List<DeliveryLog>>> forInvocation(String organizationId, String invocationId) {
        return Panache.withSession(() -> Delivery.<Delivery>list("organizationId = ?1 and invocationId = ?2",
                        Sort.by("createdAt").and("id"), organizationId, invocationId)
                .chain(deliveries -> deliveries.isEmpty()
                        // by its key alone, then the organisation (developer guide: "An organisation's row by its id")
                        ? Invocation.<Invocation>findById(invocationId).map(invocation -> invocation != null
                                && invocation.organizationId.equals(organizationId)
                                        ? Optional.of(List.<DeliveryLog>of()) : Optional.<List<DeliveryLog>>empty())
                        : attempts(deliveries).map(Optional::of)));
    }

    Uni<List<DeliveryLog>> attempts(List<Delivery> deliveries) {
        List<String> ids = deliveries.stream().map(delivery -> delivery.id).toList();
        return DeliveryAttempt.<DeliveryAttempt>list("deliveryId in ?1", Sort.by("attempt").and("id"), ids)
                .map(attempts -> {
                    Map<String, List<DeliveryAttempt>> byDelivery = attempts.stream()
                            .collect(Collectors.groupingBy(attempt -> attempt.deliveryId, LinkedHashMap::new,
                                    Collectors.toList()));
                    return deliveries.stream()
                            .map(delivery -> new DeliveryLog(delivery, byDelivery.getOrDefault(delivery.id, List.of())))
                            .toList();
                });
    }

    /** The organisation's deliveries, newest first, of one status or all (null), each with its attempts. */
    public Uni<DeliveryPage> list(String organizationId, String status, Paging paging) {
        String where = status == null ? "organizationId = ?1" : "organizationId = ?1 and status = ?2";
        Object[] parameters = status == null ? new Object[] { organizationId } : new Object[] { organizationId, status };
        return Panache.withSession(() -> Delivery.<Delivery>find(where, Sort.descending("createdAt", "id"), parameters)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list()
                .chain(page -> page.isEmpty() ? Uni.createFrom().item(List.<DeliveryLog>of()) : attempts(page))
                .chain(items -> Delivery.count(where, parameters)
                        .map(total -> new DeliveryPage(items, total, paging))));
    }

    /**
     * Sends a failed or exhausted delivery again with a schedule of its own (its attempt log goes on); a pending or
     * delivered one is left as it is.
     */
    public Uni<Replay> replay(String organizationId, String deliveryId) {
        // by its key alone, then the organisation (developer guide: "An organisation's row by its id")
        return Panache.withTransaction(() -> Delivery.<Delivery>findById(deliveryId, LockModeType.PESSIMISTIC_WRITE)
                .chain(delivery -> {
                    if (delivery == null || !delivery.organizationId.equals(organizationId)) {
                        return Uni.createFrom().<Replay>item(new Replay.NotFound());
                    }
                    if (!delivery.status.equals(Delivery.FAILED) && !delivery.status.equals(Delivery.EXHAUSTED)) {
                        return Uni.createFrom().<Replay>item(new Replay.NotReplayable(delivery.status));
                    }
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    delivery.status = Delivery.PENDING;
                    delivery.attemptsLeft = config.maxAttempts();
                    delivery.nextAttemptAt = now;
                    delivery.leaseUntil = null;
                    delivery.leaseToken = null;
                    delivery.updatedAt = now;
                    return attempts(List.of(delivery)).map(logs -> (Replay) new Replay.Replayed(logs.get(0)));
                }))
                .invoke(replay -> {
                    if (replay instanceof Replay.Replayed) {
                        dispatcher.wake();
                    }
                });
    }

    private String json(Map<String, String> headers) {
        try {
            return mapper.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("headers are not serialisable", e);
        }
    }
}
