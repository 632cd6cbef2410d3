package io.kaizen.approval.domain;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;

/**
 * Where a workflow's approver notifications go, one approver a channel, so that the link each carries is that
 * approver's: {@code email} ({@code to}, one address, which is also the approver), {@code agent} ({@code agentId}, a
 * registered messaging agent such as Slack or Teams) or {@code webhook} ({@code url}); the last two name the
 * {@code approver} they reach (a JWT subject or e-mail listed in {@code approver_users}).
 */
public record NotificationChannel(@Schema(required = true, enumeration = {"email", "agent", "webhook"}) String type,
        @Schema(nullable = true, description = "email only: one address", maxLength = 254,
                pattern = NotificationEvent.Channel.ADDRESS_PATTERN) String to,
        @Schema(nullable = true, description = "agent only: a registered messaging agent",
                pattern = PrefixedId.AGENT_PATTERN) String agentId,
        @Schema(nullable = true, description = "webhook only", maxLength = 2048, pattern = EgressGuard.URL_PATTERN)
        String url,
        @Schema(nullable = true, maxLength = 255, pattern = APPROVER,
                description = "agent and webhook: the approver whose link the channel carries") String approver) {

    /** An approver's name as the workflow check takes it: not blank, no control character. */
    public static final String APPROVER = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\u0000-\\u0020\\u007F-\\u009F\\u1680"
            + "\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F]*$";

    public static final String EMAIL = "email";
    public static final String AGENT = "agent";
    public static final String WEBHOOK = "webhook";

    /** Whose the channel's link is: the address of an e-mail channel, the named approver of the others. */
    public String recipient() {
        return EMAIL.equals(type) ? to : approver;
    }
}
