package io.kaizen.gateway.domain;

import java.time.Instant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An invocation held for approval: the invoke request and its caller as JSON, kept until the approval request's
 * outcome executes the call or ends it. Its {@link Invocation} row is {@link Invocation#PENDING_APPROVAL} meanwhile.
 */
@Entity
@Table(name = "held_invocation")
public class HeldInvocation extends PanacheEntityBase {

    @Id
    @Column(name = "invocation_id")
    public String invocationId;
    @Column(name = "approval_request_id")
    public String approvalRequestId;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "agent_id")
    public String agentId;
    /** The invoke body (JSON). */
    public String request;
    /** Who called and from where (JSON). */
    public String caller;
    @Column(name = "span_id")
    public String spanId;
    /** The {@code invocation.held} event (JSON): the template of the event that ends the call unexecuted. */
    @Column(name = "held_event")
    public String heldEvent;
    @Column(name = "held_at")
    public Instant heldAt;
    /** When its approval was taken up (or last taken up again); null while it waits. */
    @Column(name = "approved_at")
    public Instant approvedAt;
}
