package io.kaizen.gateway.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One outbound request the gateway owes somebody (a result callback, a notification), kept until it is delivered,
 * refused, or out of attempts. Its destination URL may carry a secret: it is never logged nor answered in full.
 */
@Entity
@Table(name = "delivery")
public class Delivery extends PanacheEntityBase {

    /** Waiting for its next attempt (or being attempted). */
    public static final String PENDING = "pending";
    /** A 2xx answer came. */
    public static final String DELIVERED = "delivered";
    /** Refused for good: a 4xx other than 429, or a destination the egress guard refuses. */
    public static final String FAILED = "failed";
    /** Every attempt of its schedule failed in a way worth retrying. */
    public static final String EXHAUSTED = "exhausted";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "invocation_id")
    public String invocationId;
    public String kind;
    /** The notification it tells (kind {@code notification}), unique in its organisation; null otherwise. */
    @Column(name = "notification_id")
    public String notificationId;
    public String platform;
    @Column(name = "destination_url")
    public String destinationUrl;
    /** The request headers as a JSON object. */
    public String headers;
    public byte[] body;
    public String status;
    public int attempts;
    @Column(name = "attempts_left")
    public int attemptsLeft;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "lease_token")
    public String leaseToken;
    @Column(name = "last_status_code")
    public Integer lastStatusCode;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "delivered_at")
    public Instant deliveredAt;

    /** The destination URL may carry a secret: never print it. */
    @Override
    public String toString() {
        return "Delivery[" + id + ", " + kind + ", " + status + "]";
    }
}
