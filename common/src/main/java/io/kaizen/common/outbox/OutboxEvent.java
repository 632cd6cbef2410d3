package io.kaizen.common.outbox;

import java.time.Instant;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.tracing.TraceContext;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One event waiting to be published, written in the same transaction as the state it describes. */
@Entity
@Table(name = "outbox_event")
public class OutboxEvent extends PanacheEntityBase {

    @Id
    public String id;
    public String topic;
    @Column(name = "event_key")
    public String key;
    public String type;
    public String source;
    public String subject;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    public String payload;
    @Column(name = "published_at")
    public Instant publishedAt;
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
    /** The W3C trace context of the request that wrote the row; null when it was not traced. */
    public String traceparent;
    public String tracestate;

    /** The row as the CloudEvent it is published as. */
    public CloudEvent event() {
        return new CloudEvent(id, source, type, subject, organizationId, occurredAt, payload,
                TraceContext.of(traceparent, tracestate));
    }
}
