package io.kaizen.approval.rest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.security.Permissions;

/**
 * Body of {@code PUT /api/v1/approval-workflows/...}; an absent field takes its default: approvers by role
 * {@code approver}, {@code org_admin}, {@code org_owner}, none by user, one approval, no self-approval, 24 hours,
 * {@code expire}, no notification channels.
 */
public record WorkflowBody(List<String> approverRoles, List<String> approverUsers, Integer requiredApprovals,
        Boolean allowSelfApproval, Integer timeoutHours, String onTimeout,
        List<NotificationChannel> notificationChannels) {

    static final int MAX_APPROVALS = 20;
    static final int MAX_TIMEOUT_HOURS = 720;
    static final int MAX_USERS = 100;
    static final int MAX_NAME = 255;
    static final int MAX_CHANNELS = 20;
    static final int MAX_URL = 2048;

    /**
     * The settings the body stands for, or a 400 naming the first field that is wrong; webhook URLs pass the egress
     * guard's static checks (the gateway checks the resolved address when it calls).
     */
    WorkflowSettings settings(EgressGuard egress) {
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
                allowSelfApproval != null && allowSelfApproval, timeout, onTimeoutValue, channels(egress));
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
                if (in.url() == null || in.url().isBlank() || in.url().length() > MAX_URL) {
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
        if (approver == null || approver.isBlank() || approver.length() > MAX_NAME
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
