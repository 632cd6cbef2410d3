package io.kaizen.approval.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A held invocation and the request that decides it: what makes opening a request idempotent on invocation id. */
@Entity
@Table(name = "approval_invocation")
public class ApprovalInvocation extends PanacheEntityBase {

    @Id
    @Column(name = "invocation_id")
    public String invocationId;
    @Column(name = "request_id")
    public String requestId;

    public static ApprovalInvocation of(String invocationId, String requestId) {
        ApprovalInvocation row = new ApprovalInvocation();
        row.invocationId = invocationId;
        row.requestId = requestId;
        return row;
    }
}
