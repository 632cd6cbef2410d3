package io.kaizen.governance.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * Governance configuration of one agent, and what governance knows of the agent from registry. Null limits fall
 * back to the configured defaults; -1 is unlimited. {@code approvalTriggers} is the JSON of
 * {@code ApprovalTriggerSettings}, {@code tags} a JSON array.
 */
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
    @Column(name = "user_requests_per_minute")
    public Integer userRequestsPerMinute;
    @Column(name = "cost_per_execution")
    public BigDecimal costPerExecution;
    @Column(name = "input_token_rate")
    public BigDecimal inputTokenRate;
    @Column(name = "output_token_rate")
    public BigDecimal outputTokenRate;
    @Column(name = "base_invocation_cost")
    public BigDecimal baseInvocationCost;
    @Column(name = "monthly_budget_usd")
    public BigDecimal monthlyBudgetUsd;
    @Column(name = "daily_budget_usd")
    public BigDecimal dailyBudgetUsd;
    @Column(name = "weekly_budget_usd")
    public BigDecimal weeklyBudgetUsd;
    @Column(name = "monthly_execution_limit")
    public Integer monthlyExecutionLimit;
    @Column(name = "daily_execution_limit")
    public Integer dailyExecutionLimit;
    @Column(name = "weekly_execution_limit")
    public Integer weeklyExecutionLimit;
    @Column(name = "rollover_unused")
    public Boolean rolloverUnused;
    @Column(name = "max_rollover_percentage")
    public BigDecimal maxRolloverPercentage;
    @Column(name = "warning_threshold")
    public BigDecimal warningThreshold;
    @Column(name = "degradation_threshold")
    public BigDecimal degradationThreshold;
    @Column(name = "enforcement_mode")
    public String enforcementMode;
    @Column(name = "approval_triggers")
    public String approvalTriggers;
    /** The agent's name, from its events (for people told of its budget). */
    public String name;
    public String platform;
    public String tags;
    public String environment;
    @Column(name = "agent_created_at")
    public Instant agentCreatedAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
    /** When registry emitted the newest agent event applied here; older events are ignored. */
    @Column(name = "agent_event_at")
    public Instant agentEventAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
