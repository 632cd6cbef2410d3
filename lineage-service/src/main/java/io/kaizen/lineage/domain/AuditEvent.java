package io.kaizen.lineage.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One event of the suite as the audit log records it: a link of its organisation's hash chain ({@link AuditChain}).
 * The table's key is (organization_id, seq); the event id is unique too and serves as the entity's id.
 */
@Entity
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "organization_id")
    public String organizationId;
    public long seq;
    public String type;
    public String source;
    public String subject;
    @Column(name = "agent_id")
    public String agentId;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    @Column(name = "recorded_at")
    public Instant recordedAt;
    /** The event's data as JSON text, personal fields replaced by pseudonyms; null when it was not JSON. */
    public String data;
    @Column(name = "prev_hash")
    public String prevHash;
    public String hash;
}
