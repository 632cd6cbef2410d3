package io.kaizen.common.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Data of {@code webhook.disabled}: an organisation webhook reached {@code consecutiveFailures} failed deliveries in a
 * row and the gateway stopped sending to it until it is set active again. Never its URL (which may embed a secret)
 * nor its signing secret.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookDisabledEvent(
        String webhookId,
        String organizationId,
        String name,
        int consecutiveFailures,
        String lastDeliveryId,
        String lastError,
        Instant occurredAt) {
}
