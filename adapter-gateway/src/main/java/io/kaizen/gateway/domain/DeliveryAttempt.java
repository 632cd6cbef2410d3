package io.kaizen.gateway.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One attempt at a {@link Delivery}: when, what came back (or why nothing did), and how long it took. */
@Entity
@Table(name = "delivery_attempt")
public class DeliveryAttempt extends PanacheEntityBase {

    /** No answer in time. */
    public static final String TIMEOUT = "timeout";
    /** No connection, or the connection broke. */
    public static final String CONNECTION = "connection";
    /** The egress guard refused the destination, or a notification's agent cannot be told (gone, foreign). */
    public static final String REFUSED = "refused";
    /** An answer came with a status other than 2xx (or too large to read). */
    public static final String HTTP = "http";
    /** The mail server refused an e-mail: {@code status_code} is its SMTP reply code (4xx retried, 5xx not). */
    public static final String SMTP = "smtp";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "delivery_id")
    public String deliveryId;
    /** 1 for the delivery's first attempt, counting on across replays. */
    public int attempt;
    @Column(name = "attempted_at")
    public Instant attemptedAt;
    @Column(name = "status_code")
    public Integer statusCode;
    /** Null for a 2xx answer. */
    @Column(name = "error_kind")
    public String errorKind;
    @Column(name = "duration_ms")
    public long durationMs;
    /** Sanitised: never a URL, header or credential. */
    public String error;
    /** At most 2 KB of the answer, secret-looking values removed. */
    @Column(name = "response_excerpt")
    public String responseExcerpt;
}
