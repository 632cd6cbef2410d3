package io.kaizen.approval.domain;

import java.util.List;

/**
 * Who may decide a request and how it ends: approvers by role or by user (JWT subject or e-mail), the number of
 * distinct approvals needed, whether the requester may approve their own request, and after how many hours an
 * undecided request times out and whether it then {@code expire}s or is {@code reject}ed. Then its timers and
 * shortcuts: after {@code escalateAfterMinutes} (null: never) an undecided request escalates once, and the escalation
 * roles and users may decide it too; a reminder is due every {@code reminderIntervalMinutes}, at most
 * {@code maxReminders} times (0: none); a requester among the auto-approve users (by subject) or holding an
 * auto-approve role has their request approved at once by {@link ApprovalDecision#SYSTEM}.
 */
public record WorkflowSettings(List<String> approverRoles, List<String> approverUsers, int requiredApprovals,
        boolean allowSelfApproval, int timeoutHours, String onTimeout, Integer escalateAfterMinutes,
        List<String> escalationRoles, List<String> escalationUsers, int reminderIntervalMinutes, int maxReminders,
        List<String> autoApproveRoles, List<String> autoApproveUsers) {

    public static final String EXPIRE = "expire";
    public static final String REJECT = "reject";
    /** The roles that approve when nothing is configured: those whose permissions include {@code approvals:approve}. */
    public static final List<String> DEFAULT_ROLES = List.of("approver", "org_admin", "org_owner");
    /** Reminders every 4 hours, at most 3 of them (original-spec §8.3, C16). */
    public static final int DEFAULT_REMINDER_MINUTES = 240;
    public static final int DEFAULT_MAX_REMINDERS = 3;

    /** What applies when neither the agent nor its organisation has a workflow. */
    public static WorkflowSettings defaults() {
        return new WorkflowSettings(DEFAULT_ROLES, List.of(), 1, false, 24, EXPIRE, null, List.of(), List.of(),
                DEFAULT_REMINDER_MINUTES, DEFAULT_MAX_REMINDERS, List.of(), List.of());
    }

    /** Whether a requester with this subject and these roles is trusted: their requests are approved at once. */
    public boolean trusts(String subject, List<String> roles) {
        return autoApproveUsers.contains(subject) || roles.stream().anyMatch(autoApproveRoles::contains);
    }
}
