package io.kaizen.governance.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A stored ABAC policy; {@code target} and {@code conditions} hold the validated JSON as it was written. */
@Entity
@Table(name = "policy")
public class PolicyRecord extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    public String name;
    public String description;
    public String effect;
    public int priority;
    public boolean enabled;
    public String target;
    public String match;
    public String conditions;
    public int version;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
