package io.kaizen.governance.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Governance configuration of one agent; null limits fall back to the configured defaults. */
@Entity
@Table(name = "agent_governance")
public class AgentGovernance extends PanacheEntityBase {

    @Id
    @Column(name = "agent_id")
    public String agentId;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "requests_per_minute")
    public Integer requestsPerMinute;
    @Column(name = "requests_per_hour")
    public Integer requestsPerHour;
    @Column(name = "requests_per_day")
    public Integer requestsPerDay;
    @Column(name = "cost_per_execution")
    public BigDecimal costPerExecution;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
