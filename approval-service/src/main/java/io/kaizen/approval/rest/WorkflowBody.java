package io.kaizen.approval.rest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.openapi.WireContract;
import io.kaizen.common.rest.TextLength;
import io.kaizen.common.security.Permissions;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code PUT /api/v1/approval-workflows/...}; an absent field takes its default: approvers by role
 * {@code approver}, {@code org_admin}, {@code org_owner}, none by user, one approval, no self-approval, 24 hours,
 * {@code expire}, no escalation, a reminder every 240 minutes at most 3 times, no auto-approval, no notification
 * channels.
 */
public record WorkflowBody(
        List<@Pattern(regexp = APPROVING_ROLE) String> approverRoles,
        @Schema(maxItems = MAX_USERS) List<@Size(max = MAX_NAME) @Pattern(regexp = WireContract.NOT_BLANK) String>
                approverUsers,
        @Schema(minimum = "1", maximum = "20") Integer requiredApprovals,
        Boolean allowSelfApproval,
        @Schema(minimum = "1", maximum = "720") Integer timeoutHours,
        @Schema(enumeration = {"expire", "reject"}) String onTimeout,
        @Schema(minimum = "1", description = "Before the request times out: at most timeout_hours × 60 − 1")
        Integer escalateAfterMinutes,
        List<@Pattern(regexp = APPROVING_ROLE) String> escalationRoles,
        @Schema(maxItems = MAX_USERS) List<@Size(max = MAX_NAME) @Pattern(regexp = WireContract.NOT_BLANK) String>
                escalationUsers,
        @Schema(minimum = "1", maximum = "43200") Integer reminderIntervalMinutes,
        @Schema(minimum = "0", maximum = "20") Integer maxReminders,
        List<@Pattern(regexp = ROLE) String> autoApproveRoles,
        @Schema(maxItems = MAX_USERS) List<@Size(max = MAX_NAME) @Pattern(regexp = WireContract.NOT_BLANK) String>
                autoApproveUsers,
        @Schema(maxItems = MAX_CHANNELS) List<NotificationChannel> notificationChannels) {

    /** The roles that hold {@code approvals:approve}, and every role ({@code Permissions}), for the documents. */
    static final String APPROVING_ROLE = "^(approver|org_admin|org_owner)$";
    static final String ROLE = "^(approver|auditor|developer|org_admin|org_owner|viewer)$";

    static final int MAX_APPROVALS = 20;
    static final int MAX_TIMEOUT_HOURS = 720;
    static final int MAX_USERS = 100;
    static final int MAX_NAME = 255;
    static final int MAX_REMINDERS = 20;
    static final int MAX_CHANNELS = 20;
    static final int MAX_URL = 2048;

    /**
     * The settings the body stands for, or a 400 naming the first field that is wrong; webhook URLs pass the egress
     * guard's static checks (the gateway checks the resolved address when it calls).
     */
    WorkflowSettings settings(EgressGuard egress) {
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
                reminders, List.copyOf(new LinkedHashSet<>(trustedRoles)), trustedUsers, channels(egress));
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
                || given.stream().anyMatch(u -> u == null || u.isBlank() || TextLength.of(u) > MAX_NAME)) {
            throw invalid(field, field + " must be at most " + MAX_USERS
                    + " non-blank user ids or e-mails of at most " + MAX_NAME + " characters");
        }
        return given.stream().map(String::strip).distinct().toList();
    }

    private static String knownRoles() {
        return String.join(", ", Permissions.roles().stream().sorted().toList());
    }

    private List<NotificationChannel> channels(EgressGuard egress) {
        List<NotificationChannel> given = notificationChannels == null ? List.of() : notificationChannels;
        if (given.size() > MAX_CHANNELS) {
            throw invalid("notification_channels", "notification_channels may hold at most " + MAX_CHANNELS
                    + " channels");
        }
        List<NotificationChannel> channels = new ArrayList<>();
        Set<NotificationChannel> seen = new HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String field = "notification_channels[" + i + "]";
            NotificationChannel channel = channel(given.get(i), field, egress);
            if (!seen.add(channel)) {
                throw invalid(field, field + " is listed twice");
            }
            channels.add(channel);
        }
        return List.copyOf(channels);
    }

    /** One channel with only the fields of its type, or a 400 naming the field that is wrong. */
    private static NotificationChannel channel(NotificationChannel in, String field, EgressGuard egress) {
        if (in == null || in.type() == null) {
            throw invalid(field + ".type", field + ".type must be email, agent or webhook");
        }
        switch (in.type()) {
            case NotificationChannel.EMAIL -> {
                // the address the gateway will take: its e-mail channel is checked by the same rule
                if (!NotificationEvent.Channel.isEmailAddress(in.to())) {
                    throw invalid(field + ".to", field + ".to must be an e-mail address such as alice@example.com");
                }
                if (in.approver() != null && !in.approver().equals(in.to())) {
                    throw invalid(field + ".approver", "An e-mail channel's approver is its address");
                }
                return new NotificationChannel(NotificationChannel.EMAIL, in.to(), null, null, null);
            }
            case NotificationChannel.AGENT -> {
                if (!PrefixedId.isValid(PrefixedId.AGENT, in.agentId())) {
                    throw invalid(field + ".agent_id", field + ".agent_id must be the id of a registered messaging"
                            + " agent (agt_…)");
                }
                return new NotificationChannel(NotificationChannel.AGENT, null, in.agentId(), null,
                        approver(in, field));
            }
            case NotificationChannel.WEBHOOK -> {
                if (in.url() == null || in.url().isBlank() || TextLength.of(in.url()) > MAX_URL) {
                    throw invalid(field + ".url", field + ".url must be an absolute http(s) URL of at most " + MAX_URL
                            + " characters");
                }
                try {
                    egress.checkStatic(in.url());
                } catch (EgressDeniedException e) {
                    throw invalid(field + ".url", field + ".url is not an allowed URL: " + e.getMessage());
                }
                return new NotificationChannel(NotificationChannel.WEBHOOK, null, null, in.url(), approver(in, field));
            }
            default -> throw invalid(field + ".type", field + ".type must be email, agent or webhook");
        }
    }

    /** A shared channel names the approver its link belongs to: one link, one approver. */
    private static String approver(NotificationChannel in, String field) {
        String approver = in.approver();
        if (approver == null || approver.isBlank() || TextLength.of(approver) > MAX_NAME
                || approver.chars().anyMatch(Character::isISOControl)) {
            throw invalid(field + ".approver", field + ".approver must name the approver (user id or e-mail, at"
                    + " most " + MAX_NAME + " characters) whose link the channel carries");
        }
        return approver.strip();
    }

    private static ProblemException invalid(String field, String detail) {
        return ProblemException.validation(detail).with("field", field);
    }
}
