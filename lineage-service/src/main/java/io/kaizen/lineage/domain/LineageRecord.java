package io.kaizen.lineage.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The five-layer lineage of one invocation, with its governance outcome and result. */
@Entity
@Table(name = "lineage_record")
public class LineageRecord extends PanacheEntityBase {

    @Id
    @Column(name = "invocation_id")
    public String invocationId;
    @Column(name = "organization_id")
    public String organizationId;
    public String status;
    @Column(name = "external_user_id")
    public String externalUserId;
    @Column(name = "external_user_email")
    public String externalUserEmail;
    @Column(name = "external_user_name")
    public String externalUserName;
    @Column(name = "external_system")
    public String externalSystem;
    @Column(name = "external_session_id")
    public String externalSessionId;
    @Column(name = "external_trace_id")
    public String externalTraceId;
    @Column(name = "external_context")
    public String externalContext;
    @Column(name = "auth_method")
    public String authMethod;
    @Column(name = "auth_subject")
    public String authSubject;
    @Column(name = "api_key_id")
    public String apiKeyId;
    @Column(name = "api_key_prefix")
    public String apiKeyPrefix;
    @Column(name = "team_id")
    public String teamId;
    @Column(name = "external_agent_id")
    public String externalAgentId;
    @Column(name = "external_agent_name")
    public String externalAgentName;
    @Column(name = "external_agent_platform")
    public String externalAgentPlatform;
    @Column(name = "external_agent_endpoint")
    public String externalAgentEndpoint;
    @Column(name = "trace_id")
    public String traceId;
    @Column(name = "span_id")
    public String spanId;
    @Column(name = "parent_trace_id")
    public String parentTraceId;
    @Column(name = "ip_address")
    public String ipAddress;
    @Column(name = "user_agent")
    public String userAgent;
    @Column(name = "request_timestamp")
    public Instant requestTimestamp;
    @Column(name = "response_timestamp")
    public Instant responseTimestamp;
    @Column(name = "duration_ms")
    public Long durationMs;
    @Column(name = "cost_usd")
    public BigDecimal costUsd;
    @Column(name = "response_status_code")
    public Integer responseStatusCode;
    @Column(name = "error_code")
    public String errorCode;
    @Column(name = "error_message")
    public String errorMessage;
    public String decision;
    @Column(name = "decision_id")
    public String decisionId;
    @Column(name = "governance_reason")
    public String governanceReason;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "external_user_role")
    public String externalUserRole;
    @Column(name = "external_agent_version")
    public String externalAgentVersion;
    /** The request headers as a JSON object, credentials removed ({@code common.events.CredentialHeaders}). */
    @Column(name = "request_headers")
    public String requestHeaders;
    @Column(name = "matched_policy_id")
    public String matchedPolicyId;
    @Column(name = "budget_remaining_before")
    public BigDecimal budgetRemainingBefore;
    @Column(name = "budget_remaining_after")
    public BigDecimal budgetRemainingAfter;
    @Column(name = "rate_limit_remaining")
    public Long rateLimitRemaining;
    @Column(name = "approval_id")
    public String approvalId;
    @Column(name = "approval_status")
    public String approvalStatus;
    @Column(name = "input_tokens")
    public Long inputTokens;
    @Column(name = "output_tokens")
    public Long outputTokens;
    @Column(name = "delivery_status")
    public String deliveryStatus;
    /** The ids of whoever decided the approval request, a sorted JSON array; personal data. */
    @Column(name = "approval_deciders")
    public String approvalDeciders;
    /** How far along the invocation the event that set {@link #status} was: accepted 1, held 2, an outcome 3. */
    @Column(name = "status_rank")
    public short statusRank;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
