package io.kaizen.gateway.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One call through the gateway, whatever its outcome (blocked, failed or successful). A call that governance allowed
 * is first stored as {@link #ACCEPTED}, before its agent is called; its final state replaces that row.
 */
@Entity
@Table(name = "invocation")
public class Invocation extends PanacheEntityBase {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String TIMEOUT = "timeout";
    public static final String BLOCKED = "blocked";
    /** Allowed and being delivered: the agent has not answered yet. */
    public static final String ACCEPTED = "accepted";
    /** Held until a human decides (DESIGN §3 step 5); a {@link HeldInvocation} keeps what executing it needs. */
    public static final String PENDING_APPROVAL = "pending_approval";
    /** Held, and its approval request was rejected. */
    public static final String REJECTED = "rejected";
    /** Held, and its approval request expired. */
    public static final String EXPIRED = "expired";

    public static final String SYNC = "sync";
    public static final String ASYNC = "async";

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
    public String mode = SYNC;
    /** The agent's answer as JSON, kept for asynchronous invocations only (their caller reads it later). */
    public String output;
    @Column(name = "error_message")
    public String errorMessage;
    /** While accepted: when it is overdue, i.e. past the agent's timeout with a margin. */
    public Instant deadline;
    /** While accepted: the {@code invocation.failed} event to publish if it is closed as overdue (JSON). */
    @Column(name = "pending_event")
    public String pendingEvent;

    /** An error message as its column holds it: at most 500 characters, cut with an ellipsis. */
    public static String errorMessage(String message) {
        return message == null || message.length() <= 500 ? message : message.substring(0, 499) + "…";
    }
}
