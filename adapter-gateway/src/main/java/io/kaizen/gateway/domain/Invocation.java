package io.kaizen.gateway.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One call through the gateway, whatever its outcome (blocked, failed or successful). */
@Entity
@Table(name = "invocation")
public class Invocation extends PanacheEntityBase {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String TIMEOUT = "timeout";
    public static final String BLOCKED = "blocked";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "agent_id")
    public String agentId;
    public String status;
    public String decision;
    @Column(name = "decision_id")
    public String decisionId;
    @Column(name = "external_user_id")
    public String externalUserId;
    @Column(name = "external_user_email")
    public String externalUserEmail;
    @Column(name = "external_system")
    public String externalSystem;
    @Column(name = "external_session_id")
    public String externalSessionId;
    @Column(name = "trace_id")
    public String traceId;
    @Column(name = "error_code")
    public String errorCode;
    @Column(name = "response_status_code")
    public Integer responseStatusCode;
    @Column(name = "cost_usd")
    public BigDecimal costUsd;
    /** Token counts the agent reported, each null when it reported none. */
    @Column(name = "input_tokens")
    public Long inputTokens;
    @Column(name = "output_tokens")
    public Long outputTokens;
    @Column(name = "duration_ms")
    public Long durationMs;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "completed_at")
    public Instant completedAt;
}
