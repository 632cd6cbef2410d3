package io.kaizen.approval.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A link to the approver page sent in one notification: whose it is ({@code recipient}), for which request, until when,
 * and whether it was used. The token in the link is its id with an HMAC over these fields; the row is what makes the
 * link single-use ({@code usedAt} is set in the transaction of the decision it carried).
 */
@Entity
@Table(name = "approval_link")
public class ApprovalLink extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "request_id")
    public String requestId;
    public String recipient;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "used_at")
    public Instant usedAt;
}
