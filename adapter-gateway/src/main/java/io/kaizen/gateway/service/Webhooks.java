package io.kaizen.gateway.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.rest.Paging;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.Webhook;
import io.kaizen.gateway.domain.WebhookDelivery;
import io.kaizen.gateway.service.Deliveries.DeliveryLog;
import io.kaizen.gateway.service.Deliveries.DeliveryPage;
import io.kaizen.gateway.service.Deliveries.Replay;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Organisation webhooks: kept per organisation, fed by the suite's events ({@code messaging.WebhookEventsConsumer})
 * and by test sends, each event stored as a delivery of kind {@link Deliveries#WEBHOOK} that
 * {@link DeliveryDispatcher} sends, retries and logs; {@link WebhookDeliveries} signs each attempt and disables a
 * webhook that keeps failing. The body is the event in CloudEvents structured JSON.
 */
@ApplicationScoped
public class Webhooks {

    /**
     * What a webhook is made of, or what changes (null: unchanged).
     *
     * @param events catalogue names or groups ({@link WebhookEvents}), already validated
     */
    public record Spec(String name, String url, List<String> events, String signing, String description,
            String status) {
    }

    /** A webhook with its secret in clear, as answered once at creation and rotation. */
    public record WithSecret(Webhook webhook, String secret) {
    }

    /** One page of an organisation's webhooks, newest first. */
    public record Page(List<Webhook> items, long total, Paging paging) {
    }

    private static final String SOURCE = "/kaizen/adapter-gateway";

    private final Deliveries deliveries;
    private final WebhookSecrets secrets;
    private final ObjectMapper mapper;

    Webhooks(Deliveries deliveries, WebhookSecrets secrets, ObjectMapper mapper) {
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.mapper = mapper;
    }

    /** The subscribed names of a webhook. */
    public static List<String> events(Webhook webhook) {
        return Arrays.asList(webhook.events.split(" "));
    }

    public Uni<WithSecret> create(String organizationId, String actor, Spec spec) {
        Instant now = now();
        Webhook webhook = new Webhook();
        webhook.id = PrefixedId.next(PrefixedId.WEBHOOK);
        webhook.organizationId = organizationId;
        webhook.name = spec.name();
        webhook.url = spec.url();
        webhook.description = spec.description();
        webhook.events = String.join(" ", spec.events());
        webhook.signing = spec.signing() == null ? Webhook.STANDARD : spec.signing();
        webhook.status = spec.status() == null ? Webhook.ACTIVE : spec.status();
        webhook.disabledAt = Webhook.DISABLED.equals(webhook.status) ? now : null;
        webhook.createdBy = actor;
        webhook.createdAt = now;
        webhook.updatedAt = now;
        String secret = secrets.generate();
        webhook.secretCiphertext = secrets.encrypt(webhook.id, secret);
        return Panache.withTransaction(() -> webhook.<Webhook>persist()).map(saved -> new WithSecret(saved, secret));
    }

    public Uni<Page> list(String organizationId, Paging paging) {
        return Panache.withSession(() -> Webhook.<Webhook>find("organizationId = ?1",
                        Sort.descending("createdAt", "id"), organizationId)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list()
                .chain(items -> Webhook.count("organizationId = ?1", organizationId)
                        .map(total -> new Page(items, total, paging))));
    }

    /** The organisation's webhook, or null. */
    public Uni<Webhook> get(String organizationId, String id) {
        return Panache.withSession(() -> find(organizationId, id));
    }

    /** The webhook after the change, or null when the organisation has no such webhook. */
    public Uni<Webhook> update(String organizationId, String id, Spec change) {
        return Panache.withTransaction(() -> lock(organizationId, id).map(webhook -> {
            if (webhook == null) {
                return null;
            }
            Instant now = now();
            if (change.name() != null) {
                webhook.name = change.name();
            }
            if (change.url() != null) {
                webhook.url = change.url();
            }
            if (change.events() != null) {
                webhook.events = String.join(" ", change.events());
            }
            if (change.signing() != null) {
                webhook.signing = change.signing();
            }
            if (change.description() != null) {
                webhook.description = change.description();
            }
            if (change.status() != null && !change.status().equals(webhook.status)) {
                webhook.status = change.status();
                // set active again, it starts counting failures afresh
                webhook.consecutiveFailures = 0;
                webhook.disabledAt = Webhook.DISABLED.equals(change.status()) ? now : null;
            }
            webhook.updatedAt = now;
            return webhook;
        }));
    }

    /** A new secret for the webhook (the old one stops signing at once), or null when there is no such webhook. */
    public Uni<WithSecret> rotate(String organizationId, String id) {
        String secret = secrets.generate();
        return Panache.withTransaction(() -> lock(organizationId, id).map(webhook -> {
            if (webhook == null) {
                return null;
            }
            webhook.secretCiphertext = secrets.encrypt(webhook.id, secret);
            webhook.updatedAt = now();
            return new WithSecret(webhook, secret);
        }));
    }

    /** Deletes the webhook with its deliveries (pending ones are not sent); false when there is no such webhook. */
    public Uni<Boolean> delete(String organizationId, String id) {
        return Panache.withTransaction(() -> lock(organizationId, id).chain(webhook -> webhook == null
                ? Uni.createFrom().item(false)
                : Delivery.delete("id in (select link.deliveryId from WebhookDelivery link where link.webhookId = ?1)",
                                webhook.id)
                        .chain(() -> webhook.delete())
                        .replaceWith(true)));
    }

    /**
     * One delivery of the event to each active webhook of its organisation that subscribed to its type and existed
     * when it happened, written in
     * the caller's transaction (the caller wakes the dispatcher after the commit).
     */
    public Uni<Void> fire(CloudEvent event, JsonNode data) {
        return subscribers(event).chain(webhooks -> InOrder.each(webhooks, webhook -> enqueue(webhook, event, data)));
    }

    /**
     * The ids of the events some webhook would take now, in one read: most events (one per invoke) concern
     * organisations without webhooks, and need no more than this.
     */
    public Uni<Set<String>> taken(List<CloudEvent> events) {
        List<String> organizations = events.stream().map(CloudEvent::organizationId).distinct().toList();
        return Panache.withSession(() -> Panache.getSession().chain(session -> session
                        .createNativeQuery(ACTIVE_OF, Webhook.class)
                        .setParameter("organizations", JsonIds.json(organizations))
                        .setParameter("status", Webhook.ACTIVE)
                        .getResultList()))
                .map(webhooks -> events.stream().filter(event -> webhooks.stream()
                        .anyMatch(webhook -> takes(webhook, event))).map(CloudEvent::id).collect(Collectors.toSet()));
    }

    /** The active webhooks of a batch's organisations, their ids in one parameter ({@link JsonIds}). */
    private static final String ACTIVE_OF = "select * from webhook where organization_id in "
            + JsonIds.in("organizations") + " and status = :status";

    private static Uni<List<Webhook>> subscribers(CloudEvent event) {
        return Webhook.<Webhook>list("organizationId = ?1 and status = ?2", event.organizationId(), Webhook.ACTIVE)
                .map(webhooks -> webhooks.stream().filter(webhook -> takes(webhook, event)).toList());
    }

    /**
     * Whether an active webhook takes an event: of its organisation, subscribed to its type, and made before it
     * happened — a webhook hears of what happened after it was made, even when the consumer catches up late.
     */
    private static boolean takes(Webhook webhook, CloudEvent event) {
        return webhook.organizationId.equals(event.organizationId())
                && WebhookEvents.covers(events(webhook), event.type()) && !event.time().isBefore(webhook.createdAt);
    }

    /**
     * Sends a sample event of that catalogue entry to the webhook, whatever its subscriptions and status: the stored
     * delivery, pending, or empty when the organisation has no such webhook.
     */
    public Uni<Optional<DeliveryLog>> test(String organizationId, String id, WebhookEvents.Entry entry,
            JsonNode sampleData) {
        return Panache.withTransaction(() -> find(organizationId, id).chain(webhook -> {
                    if (webhook == null) {
                        return Uni.createFrom().item(Optional.<DeliveryLog>empty());
                    }
                    ObjectNode data = mapper.createObjectNode();
                    data.put("test", true);
                    data.put("webhook_id", webhook.id);
                    data.set("sample_data", sampleData);
                    CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), SOURCE, entry.type(),
                            webhook.id, organizationId, now(), data.toString());
                    return enqueue(webhook, event, data)
                            .map(delivery -> Optional.of(new DeliveryLog(delivery, List.of())));
                }))
                .invoke(deliveries::wake);
    }

    /** The webhook's deliveries, newest first, with their attempts; empty when there is no such webhook. */
    public Uni<Optional<DeliveryPage>> deliveries(String organizationId, String id, Paging paging) {
        String where = "id in (select link.deliveryId from WebhookDelivery link where link.webhookId = ?1)";
        return Panache.withSession(() -> find(organizationId, id).chain(webhook -> webhook == null
                ? Uni.createFrom().item(Optional.<DeliveryPage>empty())
                : Delivery.<Delivery>find(where, Sort.descending("createdAt", "id"), webhook.id)
                        .range(paging.offset(), paging.offset() + paging.limit() - 1).list()
                        .chain(page -> page.isEmpty() ? Uni.createFrom().item(List.<DeliveryLog>of())
                                : deliveries.attempts(page))
                        .chain(items -> Delivery.count(where, webhook.id)
                                .map(total -> Optional.of(new DeliveryPage(items, total, paging))))));
    }

    /** Replays a failed or exhausted delivery of the webhook ({@link Deliveries#replay}). */
    public Uni<Replay> retry(String organizationId, String id, String deliveryId) {
        return Panache.withSession(() -> WebhookDelivery.count(
                        "deliveryId = ?1 and webhookId = (select w.id from Webhook w where w.id = ?2"
                                + " and w.organizationId = ?3)", deliveryId, id, organizationId))
                .chain(linked -> linked == 0 ? Uni.createFrom().<Replay>item(new Replay.NotFound())
                        : deliveries.replay(organizationId, deliveryId));
    }

    private Uni<Delivery> enqueue(Webhook webhook, CloudEvent event, JsonNode data) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Kaizen-Webhooks/1");
        // the message id of Standard Webhooks: the same on every attempt, so a receiver can drop a repeat
        headers.put("webhook-id", event.id());
        OutboundRequest request = new OutboundRequest(webhook.url, headers, body(event, data));
        // an invocation's event is also listed with the invocation's deliveries
        String invocationId = PrefixedId.isValid(PrefixedId.INVOCATION, event.subject()) ? event.subject() : null;
        return deliveries.enqueue(new Deliveries.NewDelivery(webhook.organizationId, invocationId, Deliveries.WEBHOOK,
                        null, request))
                .call(delivery -> {
                    WebhookDelivery link = new WebhookDelivery();
                    link.deliveryId = delivery.id;
                    link.webhookId = webhook.id;
                    link.eventId = event.id();
                    link.eventType = event.type();
                    return link.persist();
                });
    }

    /** The event in CloudEvents 1.0 structured JSON, its data as JSON. */
    private byte[] body(CloudEvent event, JsonNode data) {
        ObjectNode body = mapper.createObjectNode();
        body.put("specversion", CloudEvent.SPEC_VERSION);
        body.put("id", event.id());
        body.put("source", event.source());
        body.put("type", event.type());
        if (event.subject() != null) {
            body.put("subject", event.subject());
        }
        body.put("time", event.time().toString());
        body.put("organizationid", event.organizationId());
        body.put("datacontenttype", "application/json");
        body.set("data", data);
        try {
            return mapper.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + event.id() + " cannot be written", e);
        }
    }

    /** By its key alone, then the organisation (developer guide: "An organisation's row by its id"). */
    private static Uni<Webhook> find(String organizationId, String id) {
        return Webhook.<Webhook>findById(id).map(webhook -> owned(webhook, organizationId));
    }

    private static Uni<Webhook> lock(String organizationId, String id) {
        return Webhook.<Webhook>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .map(webhook -> owned(webhook, organizationId));
    }

    private static Webhook owned(Webhook webhook, String organizationId) {
        return webhook != null && webhook.organizationId.equals(organizationId) ? webhook : null;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
