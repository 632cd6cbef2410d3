package io.kaizen.approval.messaging;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.events.NotificationEvent.Channel;
import io.kaizen.common.events.NotificationEvent.Fact;
import io.kaizen.common.events.NotificationEvent.Message;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;

/**
 * The {@code notification.requested} telling one approver of a request, on one channel, with the link to their page.
 * It says who asked to run which agent, why it is held, what it may cost and how long is left; never the payload
 * summary (masked as it is) nor anything secret. Keyed by the request id. Pure.
 */
public final class ApprovalMessages {

    /** The longest fact value the gateway delivers (a longer one would make the whole notification undeliverable). */
    static final int MAX_FACT = 256;

    private ApprovalMessages() {
    }

    /** Why approvers are told: the {@code subject} of the notification and the start of its title. */
    public enum Occasion {
        REQUESTED("approval.requested", "Approval required"),
        REMINDER("approval.reminder", "Reminder: approval required"),
        ESCALATED("approval.escalated", "Escalated: approval required");

        private final String subject;
        private final String title;

        Occasion(String subject, String title) {
            this.subject = subject;
            this.title = title;
        }

        public String subject() {
            return subject;
        }
    }

    /**
     * The outbox entry telling {@code request} on {@code channel} with {@code link}. The notification id derives from
     * the request, occasion and channel (and, but for the first telling, the time), so a relay retry never tells twice
     * while a reminder is a new notification.
     */
    public static Outbox.Entry entry(ApprovalRequest request, NotificationChannel channel, Occasion occasion,
            String link, Instant now) {
        Channel destination = switch (channel.type()) {
            case NotificationChannel.EMAIL -> new Channel(Channel.EMAIL, List.of(channel.to()), null, null);
            case NotificationChannel.AGENT -> new Channel(Channel.AGENT, null, channel.agentId(), null);
            default -> new Channel(Channel.WEBHOOK, null, null, channel.url());
        };
        String basis = String.join("\n", request.id, occasion.subject, channel.type(), String.valueOf(channel.to()),
                String.valueOf(channel.agentId()), String.valueOf(channel.url()), String.valueOf(channel.approver()),
                occasion == Occasion.REQUESTED ? "" : now.toString());
        String id = "ntf_" + UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
        return new Outbox.Entry(Topics.NOTIFICATIONS, EventTypes.NOTIFICATION_REQUESTED, request.id,
                request.organizationId, new NotificationEvent(id, request.organizationId, occasion.subject, destination,
                        message(request, occasion, link, now), now));
    }

    static Message message(ApprovalRequest request, Occasion occasion, String link, Instant now) {
        String cost = request.estimatedCost == null ? "not estimated" : usd(request.estimatedCost);
        String left = timeLeft(now, request.expiresAt);
        String text = request.requestedBy + " asked to run external agent " + request.agentId + ", which needs "
                + request.requiredApprovals + (request.requiredApprovals == 1 ? " approval" : " approvals") + ": "
                + request.reasons + ". Estimated cost: " + cost + ". Decide within " + left + " (until "
                + request.expiresAt.truncatedTo(ChronoUnit.SECONDS) + "); the link below works once, for you only.";
        List<Fact> facts = List.of(
                fact("Agent", request.agentId),
                fact("Requested by", request.requestedBy),
                fact("Reasons", request.reasons),
                fact("Estimated cost", cost),
                fact("Time left", left),
                fact("Approvals", request.approvalCount + " of " + request.requiredApprovals));
        return new Message(occasion.title + ": " + request.agentId, text, "pending", facts, link);
    }

    /** A fact, its value shortened to what the gateway delivers; the text carries the whole of it. */
    private static Fact fact(String name, String value) {
        return new Fact(name, value.length() <= MAX_FACT ? value : value.substring(0, MAX_FACT - 1) + "…");
    }

    /** Hours and minutes from {@code now} to {@code until}, "0 min" when past. */
    public static String timeLeft(Instant now, Instant until) {
        long minutes = Math.max(0, Duration.between(now, until).toMinutes());
        return minutes >= 60 ? minutes / 60 + " h " + minutes % 60 + " min" : minutes + " min";
    }

    public static String usd(BigDecimal amount) {
        return "$" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
