package io.kaizen.gateway.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An organisation's subscription to events of the suite, delivered as signed HTTP POSTs. Its URL may embed the
 * receiver's secret and its signing secret is stored encrypted: neither is ever printed.
 */
@Entity
@Table(name = "webhook")
public class Webhook extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    /** Set by hand, or by the gateway after too many failed deliveries in a row; nothing is sent to it. */
    public static final String DISABLED = "disabled";
    /** Standard Webhooks headers ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}). */
    public static final String STANDARD = "standard";
    /** The original system's {@code X-Webhook-Signature: sha256=…} and {@code X-Webhook-Timestamp}, timestamp signed. */
    public static final String LEGACY = "legacy";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    public String name;
    public String url;
    public String description;
    /** The subscribed catalogue names, space-separated. */
    public String events;
    public String signing;
    @Column(name = "secret_ciphertext")
    public String secretCiphertext;
    public String status;
    @Column(name = "consecutive_failures")
    public int consecutiveFailures;
    @Column(name = "disabled_at")
    public Instant disabledAt;
    @Column(name = "last_delivery_at")
    public Instant lastDeliveryAt;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;

    @Override
    public String toString() {
        return "Webhook[" + id + ", " + status + "]";
    }
}
