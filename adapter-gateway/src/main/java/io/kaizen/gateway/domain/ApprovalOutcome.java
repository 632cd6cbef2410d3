package io.kaizen.gateway.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * How an approval request ended ({@code approved}, {@code rejected}, {@code expired}), as its event told the gateway:
 * what a held call stored after the event arrived is acted on by.
 */
@Entity
@Table(name = "approval_outcome")
public class ApprovalOutcome extends PanacheEntityBase {

    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";
    public static final String EXPIRED = "expired";

    @Id
    @Column(name = "approval_request_id")
    public String approvalRequestId;
    public String status;
    /** The rejecting approver's reason, if any. */
    public String reason;
    @Column(name = "recorded_at")
    public Instant recordedAt;

    public static ApprovalOutcome of(String approvalRequestId, String status, String reason, Instant now) {
        ApprovalOutcome row = new ApprovalOutcome();
        row.approvalRequestId = approvalRequestId;
        row.status = status;
        row.reason = reason;
        row.recordedAt = now;
        return row;
    }

    public boolean approved() {
        return APPROVED.equals(status);
    }
}
