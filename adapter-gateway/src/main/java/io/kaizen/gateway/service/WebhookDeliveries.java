package io.kaizen.gateway.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.jboss.logging.Logger;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.events.WebhookDisabledEvent;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.adapter.WebhookSignature;
import io.kaizen.gateway.config.WebhookConfig;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.Webhook;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * The {@link Deliveries#WEBHOOK} kind of delivery: each attempt is signed at its own time with the webhook's current
 * secret (Standard Webhooks, or the legacy headers), and each final outcome counts toward disabling the webhook —
 * a failed or exhausted delivery adds one failure, a delivered one clears them; at {@code kaizen.webhooks.disable-after}
 * the webhook is disabled and {@code kaizen.webhook.disabled.v1} goes out through the outbox of that transaction.
 */
@ApplicationScoped
public class WebhookDeliveries implements DeliveryKind {

    private static final Logger LOG = Logger.getLogger(WebhookDeliveries.class);
    private static final String OF_DELIVERY = "id = (select link.webhookId from WebhookDelivery link"
            + " where link.deliveryId = ?1)";

    private final WebhookSecrets secrets;
    private final WebhookConfig config;
    private final Outbox outbox;

    WebhookDeliveries(WebhookSecrets secrets, WebhookConfig config, Outbox outbox) {
        this.secrets = secrets;
        this.config = config;
        this.outbox = outbox;
    }

    @Override
    public String kind() {
        return Deliveries.WEBHOOK;
    }

    @Override
    public Uni<Map<String, String>> headers(Delivery delivery, Map<String, String> stored, Instant now) {
        return Panache.withSession(() -> Webhook.<Webhook>find(OF_DELIVERY, delivery.id).firstResult())
                .map(webhook -> {
                    if (webhook == null) {
                        throw new IllegalStateException("delivery " + delivery.id + " has no webhook");
                    }
                    String secret = secrets.decrypt(webhook.id, webhook.secretCiphertext);
                    OutboundRequest request = new OutboundRequest(delivery.destinationUrl, stored, delivery.body);
                    OutboundRequest signed = Webhook.LEGACY.equals(webhook.signing)
                            ? WebhookSignature.signTimestamped(request, secret, now)
                            : WebhookSignature.sign(request, secret, stored.get("webhook-id"), now);
                    return signed.headers();
                });
    }

    @Override
    public Uni<Void> settled(Delivery delivery, String status, String error) {
        return Webhook.<Webhook>find(OF_DELIVERY, delivery.id).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult()
                .chain(webhook -> {
                    if (webhook == null) {
                        return Uni.createFrom().voidItem();
                    }
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    webhook.lastDeliveryAt = now;
                    if (Delivery.DELIVERED.equals(status)) {
                        webhook.consecutiveFailures = 0;
                        return Uni.createFrom().voidItem();
                    }
                    webhook.consecutiveFailures++;
                    if (webhook.consecutiveFailures < config.disableAfter() || !Webhook.ACTIVE.equals(webhook.status)) {
                        return Uni.createFrom().voidItem();
                    }
                    webhook.status = Webhook.DISABLED;
                    webhook.disabledAt = now;
                    webhook.updatedAt = now;
                    LOG.infof("webhook %s disabled after %d failed deliveries in a row", webhook.id,
                            webhook.consecutiveFailures);
                    return outbox.add(Topics.AGENTS, EventTypes.WEBHOOK_DISABLED, webhook.id, webhook.organizationId,
                            new WebhookDisabledEvent(webhook.id, webhook.organizationId, webhook.name,
                                    webhook.consecutiveFailures, delivery.id, error, now)).replaceWithVoid();
                });
    }
}
