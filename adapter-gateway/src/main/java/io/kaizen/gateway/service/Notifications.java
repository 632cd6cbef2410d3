package io.kaizen.gateway.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.gateway.adapter.EmailMessage;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.adapter.PlatformMessage;
import io.kaizen.gateway.adapter.SecretRedaction;
import io.kaizen.gateway.domain.Invocation;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Notifications as stored deliveries (kind {@link Deliveries#NOTIFICATION}), one per channel, built in memory:
 * an e-mail becomes a {@code mailto:} delivery of the rendered {@link EmailMessage}; a registered agent an
 * {@code agent:<id>} delivery of the {@link PlatformMessage}, rendered by the agent's adapter when it is sent
 * ({@link DeliveryChannels}); a webhook a JSON post of the notification itself. Serves both
 * {@code kaizen.notifications.v1} and the {@code notify} channels of agents, told of each invocation's outcome.
 */
@ApplicationScoped
public class Notifications {

    /** Longest excerpt of an invocation's output or error in its result message. */
    static final int EXCERPT_CHARS = 1000;
    /** What {@code notification.requested} subjects of invocation outcomes read. */
    static final String COMPLETED_SUBJECT = "invocation.completed";
    static final String FAILED_SUBJECT = "invocation.failed";

    private final ObjectMapper mapper;

    Notifications(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * The delivery of one notification on its channel; {@code webhookBody} is what a webhook channel receives. The
     * channel must have been checked (a known type with what that type needs).
     */
    public Deliveries.NewDelivery delivery(String organizationId, String invocationId, String notificationId,
            NotificationEvent.Channel channel, PlatformMessage message, byte[] webhookBody) {
        OutboundRequest request = switch (channel.type()) {
            case NotificationEvent.Channel.EMAIL -> new OutboundRequest(
                    DeliveryChannels.MAILTO + String.join(",", channel.to()), Map.of("Content-Type", "application/json"),
                    json(EmailMessage.of(channel.to(), message)));
            case NotificationEvent.Channel.AGENT -> new OutboundRequest(DeliveryChannels.AGENT + channel.agentId(),
                    Map.of("Content-Type", "application/json"), json(message));
            case NotificationEvent.Channel.WEBHOOK -> OutboundRequest.json(channel.url(), webhookBody)
                    // Standard Webhooks: the same id on every attempt, so a receiver can drop repeats
                    .withHeader("webhook-id", notificationId)
                    .withHeader("webhook-timestamp", String.valueOf(Instant.now().getEpochSecond()))
                    .withHeader("X-Kaizen-Notification-ID", notificationId);
            default -> throw new IllegalArgumentException("unknown channel type " + channel.type());
        };
        return new Deliveries.NewDelivery(organizationId, invocationId, Deliveries.NOTIFICATION,
                channel.type().equals(NotificationEvent.Channel.EMAIL) ? "email" : null, request, notificationId);
    }

    /** A requested notification's message as platforms render it. */
    public static PlatformMessage message(NotificationEvent.Message message, Instant occurredAt) {
        List<PlatformMessage.Fact> facts = message.facts() == null ? List.of() : message.facts().stream()
                .map(fact -> new PlatformMessage.Fact(fact.name(), fact.value())).toList();
        return new PlatformMessage(message.title(), message.text(), status(message.status()), facts, message.link(),
                occurredAt);
    }

    /** {@code info}, {@code success}, {@code failed} or {@code pending}; anything else reads as info. */
    static PlatformMessage.Status status(String status) {
        if (status == null) {
            return PlatformMessage.Status.INFO;
        }
        return switch (status.toLowerCase(Locale.ROOT)) {
            case "success" -> PlatformMessage.Status.SUCCESS;
            case "failed" -> PlatformMessage.Status.FAILED;
            case "pending" -> PlatformMessage.Status.PENDING;
            default -> PlatformMessage.Status.INFO;
        };
    }

    /**
     * The deliveries telling an agent's {@code notify} channels that an invocation completed or failed: one per
     * channel listening to that outcome, each with the notification id {@code <invocation id>:notify:<n>}.
     */
    public List<Deliveries.NewDelivery> invocationOutcome(AgentDefinition agent, Invocation invocation,
            JsonNode output) {
        if (agent.notifyChannels().isEmpty()) {
            return List.of();
        }
        boolean completed = Invocation.SUCCESS.equals(invocation.status);
        String outcome = completed ? AgentDefinition.Notify.COMPLETED : AgentDefinition.Notify.FAILED;
        PlatformMessage message = resultMessage(agent, invocation, output);
        List<Deliveries.NewDelivery> deliveries = new ArrayList<>();
        for (int i = 0; i < agent.notifyChannels().size(); i++) {
            AgentDefinition.Notify notify = agent.notifyChannels().get(i);
            if (!notify.tells(outcome)) {
                continue;
            }
            String notificationId = invocation.id + ":notify:" + i;
            NotificationEvent.Channel channel = new NotificationEvent.Channel(notify.type(), notify.to(),
                    notify.agentId(), notify.url());
            NotificationEvent event = new NotificationEvent(notificationId, invocation.organizationId,
                    completed ? COMPLETED_SUBJECT : FAILED_SUBJECT, channel,
                    new NotificationEvent.Message(message.title(), message.text(),
                            completed ? "success" : "failed", message.facts().stream()
                                    .map(fact -> new NotificationEvent.Fact(fact.name(), fact.value())).toList(),
                            null),
                    invocation.completedAt);
            // only a webhook receives the notification itself
            deliveries.add(delivery(invocation.organizationId, invocation.id, notificationId, channel, message,
                    NotificationEvent.Channel.WEBHOOK.equals(channel.type()) ? json(event) : null));
        }
        return deliveries;
    }

    /**
     * What a result reads: the agent, the outcome, duration and cost, and an excerpt of the output or error with
     * secret-looking values removed (the invocation's input is never part of it).
     */
    static PlatformMessage resultMessage(AgentDefinition agent, Invocation invocation, JsonNode output) {
        boolean completed = Invocation.SUCCESS.equals(invocation.status);
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        facts.add(new PlatformMessage.Fact("Agent", agent.name()));
        facts.add(new PlatformMessage.Fact("Invocation", invocation.id));
        facts.add(new PlatformMessage.Fact("Status", invocation.status));
        if (invocation.durationMs != null) {
            facts.add(new PlatformMessage.Fact("Duration", invocation.durationMs + " ms"));
        }
        if (invocation.costUsd != null) {
            // at least cents, and every digit there is (no rounding)
            facts.add(new PlatformMessage.Fact("Cost", "$" + invocation.costUsd
                    .setScale(Math.max(2, invocation.costUsd.stripTrailingZeros().scale())).toPlainString()));
        }
        if (invocation.errorCode != null) {
            facts.add(new PlatformMessage.Fact("Error", invocation.errorCode));
        }
        String detail = completed ? (output == null ? "" : output.isTextual() ? output.asText() : output.toString())
                : invocation.errorMessage == null ? "" : invocation.errorMessage;
        return new PlatformMessage(agent.name() + (completed ? ": invocation completed" : ": invocation failed"),
                excerpt(detail), completed ? PlatformMessage.Status.SUCCESS : PlatformMessage.Status.FAILED, facts,
                null, invocation.completedAt);
    }

    private static String excerpt(String text) {
        // only the start is shown: of a large output, no more than that is searched for secrets
        int bound = EXCERPT_CHARS * 4;
        String start = text.length() <= bound ? text
                : text.substring(0, Character.isHighSurrogate(text.charAt(bound - 1)) ? bound - 1 : bound);
        String redacted = SecretRedaction.redact(start);
        return redacted.codePointCount(0, redacted.length()) <= EXCERPT_CHARS ? redacted
                : redacted.substring(0, redacted.offsetByCodePoints(0, EXCERPT_CHARS - 1)) + "…";
    }

    private byte[] json(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("notification is not serialisable", e);
        }
    }
}
