package io.kaizen.approval.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A held invocation waiting for a human decision, with the workflow it was opened under. It is {@link #PENDING} until
 * enough distinct approvers approved it, one rejected it, or its {@code expiresAt} passed; past its
 * {@code escalateAt} an undecided request becomes {@link #ESCALATED}, still undecided, and its escalation targets may
 * decide it besides its approvers.
 */
@Entity
@Table(name = "approval_request")
public class ApprovalRequest extends PanacheEntityBase {

    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";
    public static final String EXPIRED = "expired";
    public static final String ESCALATED = "escalated";
    public static final List<String> STATUSES = List.of(PENDING, ESCALATED, APPROVED, REJECTED, EXPIRED);
    /** The statuses of a request that still waits for a decision. */
    public static final List<String> UNDECIDED = List.of(PENDING, ESCALATED);

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "agent_id")
    public String agentId;
    /** The first invocation held for it; later ones of the same user and agent are {@link ApprovalInvocation}s. */
    @Column(name = "invocation_id")
    public String invocationId;
    /** The Kaizen subject (JWT subject or API key) that invoked. */
    @Column(name = "requested_by")
    public String requestedBy;
    /** When {@link #requestedBy} is an API key: the user who created it, who counts as the requester too. */
    @Column(name = "requested_by_owner")
    public String requestedByOwner;
    @Column(name = "requested_by_team")
    public String requestedByTeam;
    @Column(name = "external_user_id")
    public String externalUserId;
    public String status;
    /** The matched triggers' reasons, joined with {@code " | "}. */
    public String reasons;
    @Column(name = "estimated_cost")
    public BigDecimal estimatedCost;
    @Column(name = "payload_summary")
    public String payloadSummary;
    @Convert(converter = TextListColumn.class)
    @Column(name = "approver_roles")
    public List<String> approverRoles;
    @Convert(converter = TextListColumn.class)
    @Column(name = "approver_users")
    public List<String> approverUsers;
    @Column(name = "required_approvals")
    public int requiredApprovals;
    @Column(name = "allow_self_approval")
    public boolean allowSelfApproval;
    @Column(name = "on_timeout")
    public String onTimeout;
    /** Where the approvers of this request are told of it (the workflow's channels when it was opened). */
    @Convert(converter = ChannelListColumn.class)
    @Column(name = "notification_channels")
    public List<NotificationChannel> notificationChannels;
    @Column(name = "approval_count")
    public int approvalCount;
    @Column(name = "rejection_count")
    public int rejectionCount;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
    @Column(name = "decided_at")
    public Instant decidedAt;
    @Convert(converter = TextListColumn.class)
    @Column(name = "escalation_roles")
    public List<String> escalationRoles;
    @Convert(converter = TextListColumn.class)
    @Column(name = "escalation_users")
    public List<String> escalationUsers;
    /** When an undecided request escalates; null when its workflow has no escalation. */
    @Column(name = "escalate_at")
    public Instant escalateAt;
    @Column(name = "escalated_at")
    public Instant escalatedAt;
    @Column(name = "reminder_interval_minutes")
    public Integer reminderIntervalMinutes;
    @Column(name = "max_reminders")
    public int maxReminders;
    @Column(name = "reminders_sent")
    public int remindersSent;
    /** When the next reminder is due; null once {@code maxReminders} were sent, or none are to be. */
    @Column(name = "next_reminder_at")
    public Instant nextReminderAt;

    public boolean undecided() {
        return UNDECIDED.contains(status);
    }

    /** The people who made the request: the invoking subject and, for an API key, the key's owner. */
    public Set<String> requesters() {
        return Stream.of(requestedBy, requestedByOwner).filter(Objects::nonNull).collect(Collectors.toSet());
    }
}
