package io.kaizen.lineage.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One event of the suite as the audit log records it. */
@Entity
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "organization_id")
    public String organizationId;
    public String type;
    public String source;
    public String subject;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    @Column(name = "recorded_at")
    public Instant recordedAt;
}
