package io.kaizen.governance.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Organisation-wide governance: how policies combine, the effect when none applies, the optional monthly budget
 * across all agents, the approval-trigger defaults of its agents and its time zone (an IANA id; weekly budgets start
 * on its Monday). Null fields take the configured defaults (the zone: UTC).
 */
@Entity
@Table(name = "organization_governance")
public class OrganizationGovernance extends PanacheEntityBase {

    @Id
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "combining_strategy")
    public String combiningStrategy;
    @Column(name = "default_effect")
    public String defaultEffect;
    @Column(name = "monthly_budget_usd")
    public BigDecimal monthlyBudgetUsd;
    @Column(name = "approval_triggers")
    public String approvalTriggers;
    @Column(name = "time_zone")
    public String timeZone;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
