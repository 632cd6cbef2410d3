package io.kaizen.approval.rest;

import java.util.LinkedHashSet;
import java.util.List;

import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.Permissions;

/**
 * Body of {@code PUT /api/v1/approval-workflows/...}; an absent field takes its default: approvers by role
 * {@code approver}, {@code org_admin}, {@code org_owner}, none by user, one approval, no self-approval, 24 hours,
 * {@code expire}.
 */
public record WorkflowBody(List<String> approverRoles, List<String> approverUsers, Integer requiredApprovals,
        Boolean allowSelfApproval, Integer timeoutHours, String onTimeout) {

    static final int MAX_APPROVALS = 20;
    static final int MAX_TIMEOUT_HOURS = 720;
    static final int MAX_USERS = 100;
    static final int MAX_NAME = 255;

    /** The settings the body stands for, or a 400 naming the first field that is wrong. */
    WorkflowSettings settings() {
        WorkflowSettings defaults = WorkflowSettings.defaults();
        List<String> roles = approverRoles == null ? defaults.approverRoles() : approverRoles;
        for (String role : roles) {
            if (role == null || !Permissions.roles().contains(role)) {
                throw invalid("approver_roles", "approver_roles must name known roles ("
                        + String.join(", ", Permissions.roles().stream().sorted().toList()) + ")");
            }
            if (!Permissions.forRoles(List.of(role)).contains(Permissions.APPROVALS_APPROVE)) {
                throw invalid("approver_roles", "Role '" + role + "' cannot approve: it lacks "
                        + Permissions.APPROVALS_APPROVE);
            }
        }
        List<String> users = approverUsers == null ? List.of() : approverUsers;
        if (users.size() > MAX_USERS || users.stream().anyMatch(u -> u == null || u.isBlank() || u.length() > MAX_NAME)) {
            throw invalid("approver_users", "approver_users must be at most " + MAX_USERS
                    + " non-blank user ids or e-mails of at most " + MAX_NAME + " characters");
        }
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
        return new WorkflowSettings(List.copyOf(new LinkedHashSet<>(roles)),
                users.stream().map(String::strip).distinct().toList(), required,
                allowSelfApproval != null && allowSelfApproval, timeout, onTimeoutValue);
    }

    private static ProblemException invalid(String field, String detail) {
        return ProblemException.validation(detail).with("field", field);
    }
}
