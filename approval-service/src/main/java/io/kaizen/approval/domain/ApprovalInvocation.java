package io.kaizen.approval.domain;

import java.math.BigDecimal;
import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A held invocation and the request that decides it, with what the approvers are shown of that call: its triggers'
 * reasons, estimated cost and masked input. What makes opening a request idempotent on invocation id.
 */
@Entity
@Table(name = "approval_invocation")
public class ApprovalInvocation extends PanacheEntityBase {

    @Id
    @Column(name = "invocation_id")
    public String invocationId;
    @Column(name = "request_id")
    public String requestId;
    @Column(name = "trigger_reason")
    public String triggerReason;
    @Column(name = "estimated_cost")
    public BigDecimal estimatedCost;
    @Column(name = "payload_summary")
    public String payloadSummary;
    @Column(name = "held_at")
    public Instant heldAt;

    public static ApprovalInvocation of(String invocationId, String requestId, String triggerReason,
            BigDecimal estimatedCost, String payloadSummary, Instant heldAt) {
        ApprovalInvocation row = new ApprovalInvocation();
        row.invocationId = invocationId;
        row.requestId = requestId;
        row.triggerReason = triggerReason;
        row.estimatedCost = estimatedCost;
        row.payloadSummary = payloadSummary;
        row.heldAt = heldAt;
        return row;
    }
}
