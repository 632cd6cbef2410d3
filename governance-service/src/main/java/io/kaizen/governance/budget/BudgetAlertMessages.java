package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.events.NotificationEvent.Channel;
import io.kaizen.common.events.NotificationEvent.Fact;
import io.kaizen.common.events.NotificationEvent.Message;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;

/**
 * The notification requests of one budget alert: one {@code notification.requested} per destination of the alert
 * configuration (e-mail to all recipients at once, the webhook, each messaging agent). Pure.
 */
public final class BudgetAlertMessages {

    /** What the notifications are about. */
    public static final String SUBJECT = "budget.threshold_crossed";

    private BudgetAlertMessages() {
    }

    /**
     * A budget line at the moment it is told: whose ({@code agentId} null for the organisation), its name for people,
     * its scope and period, the threshold told (whole percent), spend and limit, and the forecast (null: left out).
     */
    public record Alert(String organizationId, String agentId, String name, String scope, BudgetPeriod period,
            int threshold, BigDecimal spent, BigDecimal limit, BigDecimal forecast) {

        String scopeId() {
            return agentId != null ? agentId : organizationId;
        }
    }

    /**
     * The outbox entries telling {@code alert} to every destination of {@code config}. The notification ids derive
     * from the scope, period, threshold and channel (and, for a reminder, the time it is told), so a relay retry or a
     * replayed event never tells twice, while a reminder is a new notification.
     */
    public static List<Outbox.Entry> notifications(Alert alert, BudgetAlertConfig config, boolean reminder,
            Instant now) {
        List<Channel> channels = new ArrayList<>();
        if (!config.emailRecipients().isEmpty()) {
            channels.add(new Channel(Channel.EMAIL, config.emailRecipients(), null, null));
        }
        if (config.webhookUrl() != null) {
            channels.add(new Channel(Channel.WEBHOOK, null, null, config.webhookUrl()));
        }
        for (String agentId : config.channels()) {
            channels.add(new Channel(Channel.AGENT, null, agentId, null));
        }
        Message message = message(alert, reminder);
        return channels.stream().map(channel -> new Outbox.Entry(Topics.NOTIFICATIONS,
                EventTypes.NOTIFICATION_REQUESTED, alert.scopeId(), alert.organizationId(),
                new NotificationEvent(notificationId(alert, channel, reminder ? now : null), alert.organizationId(),
                        SUBJECT, channel, message, now)))
                .toList();
    }

    /** Spend projected to the period's end, linear from the spend so far (the spend itself before any time passed). */
    public static BigDecimal forecast(BigDecimal spent, BudgetPeriod period, Instant now) {
        long total = Duration.between(period.startsAt(), period.resetsAt()).toSeconds();
        long elapsed = Math.min(total, Duration.between(period.startsAt(), now).toSeconds());
        if (elapsed <= 0) {
            return spent.setScale(2, RoundingMode.HALF_UP);
        }
        return spent.multiply(BigDecimal.valueOf(total)).divide(BigDecimal.valueOf(elapsed), 2, RoundingMode.HALF_UP);
    }

    static Message message(Alert alert, boolean reminder) {
        BigDecimal remaining = alert.limit().subtract(alert.spent());
        boolean reached = alert.threshold() >= 100;
        String whose = alert.agentId() != null ? alert.name() : "The organisation";
        String text = (reminder ? "Reminder: " : "") + whose + " has used " + alert.threshold() + " % of "
                + "its " + alert.period().name() + " budget: " + usd(alert.spent())
                + " of " + usd(alert.limit()) + " spent, " + usd(remaining) + " remaining until "
                + alert.period().resetsAt() + "."
                + (alert.forecast() == null ? ""
                        : " At this pace it will have spent " + usd(alert.forecast()) + " by then.");
        List<Fact> facts = new ArrayList<>(List.of(
                new Fact("Spent", usd(alert.spent())),
                new Fact("Limit", usd(alert.limit())),
                new Fact("Remaining", usd(remaining)),
                new Fact("Period", alert.period().name() + ", " + alert.period().startsAt() + " to "
                        + alert.period().resetsAt())));
        if (alert.forecast() != null) {
            facts.add(new Fact("Forecast", usd(alert.forecast())));
        }
        String title = "Budget " + alert.threshold() + " % used: "
                + (alert.agentId() != null ? alert.name() : "organisation") + " (" + alert.period().name() + ")";
        return new Message(title, text, reached ? "failed" : "info", facts, null);
    }

    private static String usd(BigDecimal amount) {
        return (amount.signum() < 0 ? "-$" : "$") + amount.abs().setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String notificationId(Alert alert, Channel channel, Instant toldAt) {
        String destination = switch (channel.type()) {
            case Channel.AGENT -> "agent:" + channel.agentId();
            default -> channel.type();
        };
        String basis = String.join("|", alert.scopeId(), alert.scope(), alert.period().start().toString(),
                Integer.toString(alert.threshold()), destination, toldAt == null ? "" : toldAt.toString());
        return "ntf_" + UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }
}
