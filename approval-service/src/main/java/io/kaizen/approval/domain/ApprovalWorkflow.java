package io.kaizen.approval.domain;

import java.time.Instant;
import java.util.List;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A stored workflow: an agent's own, or its organisation's default ({@link #DEFAULT} in place of an agent id). */
@Entity
@Table(name = "approval_workflow")
public class ApprovalWorkflow extends PanacheEntityBase {

    public static final String DEFAULT = "*";

    @Id
    public String id;
    @Column(name = "organization_id")
    public String organizationId;
    @Column(name = "agent_id")
    public String agentId;
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
    @Column(name = "timeout_hours")
    public int timeoutHours;
    @Column(name = "on_timeout")
    public String onTimeout;
    @Column(name = "escalate_after_minutes")
    public Integer escalateAfterMinutes;
    @Convert(converter = TextListColumn.class)
    @Column(name = "escalation_roles")
    public List<String> escalationRoles;
    @Convert(converter = TextListColumn.class)
    @Column(name = "escalation_users")
    public List<String> escalationUsers;
    @Column(name = "reminder_interval_minutes")
    public int reminderIntervalMinutes;
    @Column(name = "max_reminders")
    public int maxReminders;
    @Convert(converter = TextListColumn.class)
    @Column(name = "auto_approve_roles")
    public List<String> autoApproveRoles;
    @Convert(converter = TextListColumn.class)
    @Column(name = "auto_approve_users")
    public List<String> autoApproveUsers;
    @Column(name = "updated_by")
    public String updatedBy;
    @Column(name = "updated_at")
    public Instant updatedAt;

    public WorkflowSettings settings() {
        return new WorkflowSettings(approverRoles, approverUsers, requiredApprovals, allowSelfApproval, timeoutHours,
                onTimeout, escalateAfterMinutes, escalationRoles, escalationUsers, reminderIntervalMinutes,
                maxReminders, autoApproveRoles, autoApproveUsers);
    }

    public void apply(WorkflowSettings settings) {
        approverRoles = settings.approverRoles();
        approverUsers = settings.approverUsers();
        requiredApprovals = settings.requiredApprovals();
        allowSelfApproval = settings.allowSelfApproval();
        timeoutHours = settings.timeoutHours();
        onTimeout = settings.onTimeout();
        escalateAfterMinutes = settings.escalateAfterMinutes();
        escalationRoles = settings.escalationRoles();
        escalationUsers = settings.escalationUsers();
        reminderIntervalMinutes = settings.reminderIntervalMinutes();
        maxReminders = settings.maxReminders();
        autoApproveRoles = settings.autoApproveRoles();
        autoApproveUsers = settings.autoApproveUsers();
    }
}
