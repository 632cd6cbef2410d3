package io.kaizen.approval.domain;

import java.time.Instant;
import java.util.Set;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One approver's decision on a request; at most one per approver and request. */
@Entity
@Table(name = "approval_decision")
public class ApprovalDecision extends PanacheEntityBase {

    public static final String APPROVE = "approve";
    public static final String REJECT = "reject";
    /** The decider of a request rejected because it timed out. */
    public static final String SYSTEM = "system";

    @Id
    public String id;
    @Column(name = "request_id")
    public String requestId;
    @Column(name = "approver_id")
    public String approverId;
    /** When the approver decided with an API key: the user who created it. */
    @Column(name = "approver_owner")
    public String approverOwner;
    public String decision;
    public String reason;
    @Column(name = "decided_at")
    public Instant decidedAt;

    /** Whether this decision was made by one of {@code persons} (an approver's subject and key owner). */
    public boolean by(Set<String> persons) {
        return persons.contains(approverId) || approverOwner != null && persons.contains(approverOwner);
    }
}
