package io.kaizen.approval.domain;

import java.util.List;

/**
 * Who may decide a request and how it ends: approvers by role or by user (JWT subject or e-mail), the number of
 * distinct approvals needed, whether the requester may approve their own request, and after how many hours an
 * undecided request times out and whether it then {@code expire}s or is {@code reject}ed, and where approvers are
 * told of a new request.
 */
public record WorkflowSettings(List<String> approverRoles, List<String> approverUsers, int requiredApprovals,
        boolean allowSelfApproval, int timeoutHours, String onTimeout, List<NotificationChannel> notificationChannels) {

    public static final String EXPIRE = "expire";
    public static final String REJECT = "reject";
    /** The roles that approve when nothing is configured: those whose permissions include {@code approvals:approve}. */
    public static final List<String> DEFAULT_ROLES = List.of("approver", "org_admin", "org_owner");

    /** What applies when neither the agent nor its organisation has a workflow. */
    public static WorkflowSettings defaults() {
        return new WorkflowSettings(DEFAULT_ROLES, List.of(), 1, false, 24, EXPIRE, List.of());
    }
}
