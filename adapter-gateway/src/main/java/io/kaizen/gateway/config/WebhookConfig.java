package io.kaizen.gateway.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Min;

/** Organisation webhooks ({@code service.Webhooks}, docs/webhooks.md). */
@ConfigMapping(prefix = "kaizen.webhooks")
public interface WebhookConfig {

    /**
     * Failed deliveries in a row (a delivery refused with a 4xx, or exhausted after its retries, counts once; a
     * delivered one resets the count) after which a webhook is disabled and {@code kaizen.webhook.disabled.v1}
     * published.
     */
    @WithDefault("10")
    @Min(1)
    int disableAfter();

    /**
     * The key that encrypts the webhooks' signing secrets at rest: a long random text, from which the AES-256 key is
     * derived. The dev and test profiles have a default; outside them the gateway refuses to start without one.
     * Changing it makes the stored secrets unreadable (rotate each webhook's secret afterwards).
     */
    Optional<String> encryptionKey();
}
