package io.kaizen.approval.rest;

import java.util.LinkedHashSet;
import java.util.List;

import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.Permissions;

/**
 * Body of {@code PUT /api/v1/approval-workflows/...}; an absent field takes its default: approvers by role
 * {@code approver}, {@code org_admin}, {@code org_owner}, none by user, one approval, no self-approval, 24 hours,
 * {@code expire}, no escalation, a reminder every 240 minutes at most 3 times, no auto-approval.
 */
public record WorkflowBody(List<String> approverRoles, List<String> approverUsers, Integer requiredApprovals,
        Boolean allowSelfApproval, Integer timeoutHours, String onTimeout, Integer escalateAfterMinutes,
        List<String> escalationRoles, List<String> escalationUsers, Integer reminderIntervalMinutes,
        Integer maxReminders, List<String> autoApproveRoles, List<String> autoApproveUsers) {

    static final int MAX_APPROVALS = 20;
    static final int MAX_TIMEOUT_HOURS = 720;
    static final int MAX_USERS = 100;
    static final int MAX_NAME = 255;
    static final int MAX_REMINDERS = 20;

    /** The settings the body stands for, or a 400 naming the first field that is wrong. */
    WorkflowSettings settings() {
        WorkflowSettings defaults = WorkflowSettings.defaults();
        List<String> roles = approvingRoles("approver_roles", approverRoles == null ? defaults.approverRoles()
                : approverRoles);
        List<String> users = users("approver_users", approverUsers);
        if (roles.isEmpty() && users.isEmpty()) {
            throw invalid("approver_roles", "A workflow needs at least one approver role or user");
        }
        int required = requiredApprovals == null ? defaults.requiredApprovals() : requiredApprovals;
        if (required < 1 || required > MAX_APPROVALS) {
            throw invalid("required_approvals", "required_approvals must be from 1 to " + MAX_APPROVALS);
        }
        int timeout = timeoutHours == null ? defaults.timeoutHours() : timeoutHours;
        if (timeout < 1 || timeout > MAX_TIMEOUT_HOURS) {
            throw invalid("timeout_hours", "timeout_hours must be from 1 to " + MAX_TIMEOUT_HOURS);
        }
        String onTimeoutValue = onTimeout == null ? defaults.onTimeout() : onTimeout;
        if (!onTimeoutValue.equals(WorkflowSettings.EXPIRE) && !onTimeoutValue.equals(WorkflowSettings.REJECT)) {
            throw invalid("on_timeout", "on_timeout must be expire or reject");
        }
        List<String> escalationRoleList = approvingRoles("escalation_roles",
                escalationRoles == null ? List.of() : escalationRoles);
        List<String> escalationUserList = users("escalation_users", escalationUsers);
        boolean targets = !escalationRoleList.isEmpty() || !escalationUserList.isEmpty();
        // an escalation due at or after the timeout would never happen
        int latestEscalation = timeout * 60 - 1;
        if (escalateAfterMinutes != null && (escalateAfterMinutes < 1 || escalateAfterMinutes > latestEscalation)) {
            throw invalid("escalate_after_minutes", "escalate_after_minutes must be from 1 to " + latestEscalation
                    + ", before the request times out");
        }
        if (escalateAfterMinutes != null && !targets) {
            throw invalid("escalation_users", "An escalation needs at least one escalation role or user");
        }
        if (escalateAfterMinutes == null && targets) {
            throw invalid("escalate_after_minutes", "escalate_after_minutes is required with escalation targets");
        }
        int reminderInterval = reminderIntervalMinutes == null ? defaults.reminderIntervalMinutes()
                : reminderIntervalMinutes;
        if (reminderInterval < 1 || reminderInterval > MAX_TIMEOUT_HOURS * 60) {
            throw invalid("reminder_interval_minutes", "reminder_interval_minutes must be from 1 to "
                    + MAX_TIMEOUT_HOURS * 60);
        }
        int reminders = maxReminders == null ? defaults.maxReminders() : maxReminders;
        if (reminders < 0 || reminders > MAX_REMINDERS) {
            throw invalid("max_reminders", "max_reminders must be from 0 (no reminders) to " + MAX_REMINDERS);
        }
        List<String> trustedRoles = autoApproveRoles == null ? List.of() : autoApproveRoles;
        for (String role : trustedRoles) {
            if (role == null || !Permissions.roles().contains(role)) {
                throw invalid("auto_approve_roles", "auto_approve_roles must name known roles (" + knownRoles() + ")");
            }
        }
        List<String> trustedUsers = users("auto_approve_users", autoApproveUsers);
        return new WorkflowSettings(roles, users, required, allowSelfApproval != null && allowSelfApproval, timeout,
                onTimeoutValue, escalateAfterMinutes, escalationRoleList, escalationUserList, reminderInterval,
                reminders, List.copyOf(new LinkedHashSet<>(trustedRoles)), trustedUsers);
    }

    /** Known roles that grant {@code approvals:approve}, without repeats; a 400 naming {@code field} otherwise. */
    private static List<String> approvingRoles(String field, List<String> roles) {
        for (String role : roles) {
            if (role == null || !Permissions.roles().contains(role)) {
                throw invalid(field, field + " must name known roles (" + knownRoles() + ")");
            }
            if (!Permissions.forRoles(List.of(role)).contains(Permissions.APPROVALS_APPROVE)) {
                throw invalid(field, "Role '" + role + "' cannot approve: it lacks " + Permissions.APPROVALS_APPROVE);
            }
        }
        return List.copyOf(new LinkedHashSet<>(roles));
    }

    /** User ids or e-mails, stripped and without repeats; a 400 naming {@code field} otherwise. */
    private static List<String> users(String field, List<String> users) {
        List<String> given = users == null ? List.of() : users;
        if (given.size() > MAX_USERS
                || given.stream().anyMatch(u -> u == null || u.isBlank() || u.length() > MAX_NAME)) {
            throw invalid(field, field + " must be at most " + MAX_USERS
                    + " non-blank user ids or e-mails of at most " + MAX_NAME + " characters");
        }
        return given.stream().map(String::strip).distinct().toList();
    }

    private static String knownRoles() {
        return String.join(", ", Permissions.roles().stream().sorted().toList());
    }

    private static ProblemException invalid(String field, String detail) {
        return ProblemException.validation(detail).with("field", field);
    }
}
