package io.kaizen.gateway.messaging;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.consumer.EventConsumer;
import io.kaizen.common.consumer.FailurePolicy;
import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.tracing.EventSpans;
import io.kaizen.gateway.client.AgentDirectory;
import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.service.Deliveries;
import io.kaizen.gateway.service.Notifications;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Delivers {@code notification.requested} from {@code kaizen.notifications.v1}: each becomes one stored delivery
 * ({@link Notifications}), sent and retried by the dispatcher. A notification is stored once: the event id is
 * recorded as processed with it, and a notification already stored under its {@code notification_id} (republished
 * under another event id) stores nothing more.
 *
 * <p>A notification that cannot be delivered as written (no id, an unknown channel type, a bad address, a refused
 * URL) is dead-lettered with the reason. One naming an agent that is not its organisation's, or not active, is
 * dropped with a logged reason: the requester cannot reach another organisation's agents through the gateway.
 */
@ApplicationScoped
public class NotificationConsumer extends EventConsumer {

    static final int MAX_TITLE = 256;
    static final int MAX_TEXT = 10_000;
    static final int MAX_FACTS = 25;
    static final int MAX_URL = 2048;


    private static final Logger LOG = Logger.getLogger(NotificationConsumer.class);

    private final Notifications notifications;
    private final Deliveries deliveries;
    private final AgentDirectory agents;
    private final EgressGuard egress;

    NotificationConsumer(ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures, EventSpans spans,
            Notifications notifications, Deliveries deliveries, AgentDirectory agents, EgressGuard egress) {
        super("gateway.notifications", mapper, processed, failures, spans);
        this.notifications = notifications;
        this.deliveries = deliveries;
        this.agents = agents;
        this.egress = egress;
    }

    @Incoming("notifications")
    public Uni<Void> consume(Message<String> message) {
        return handle(message);
    }

    @Override
    protected boolean handles(String type) {
        return EventTypes.NOTIFICATION_REQUESTED.equals(type);
    }

    @Override
    protected Uni<Void> process(CloudEvent event) {
        NotificationEvent notification = read(event, NotificationEvent.class);
        check(event, notification);
        return deliverable(notification).chain(deliverable -> !deliverable ? Uni.createFrom().voidItem()
                : once(event, ignored -> Delivery.count("organizationId = ?1 and notificationId = ?2",
                                notification.organizationId(), notification.notificationId())
                        .chain(stored -> stored > 0 ? Uni.createFrom().voidItem()
                                : deliveries.enqueue(notifications.delivery(notification.organizationId(), null,
                                        notification.notificationId(), notification.channel(),
                                        Notifications.message(notification.message(), notification.occurredAt()),
                                        event.data().getBytes(StandardCharsets.UTF_8))).replaceWithVoid())))
                // stored inside the consumer's transaction: send it once that committed
                .invoke(deliveries::wake);
    }

    /** False for an agent channel whose agent is not an active agent of the notification's organisation. */
    private Uni<Boolean> deliverable(NotificationEvent notification) {
        NotificationEvent.Channel channel = notification.channel();
        if (!NotificationEvent.Channel.AGENT.equals(channel.type())) {
            return Uni.createFrom().item(true);
        }
        return agents.invocable(channel.agentId(), notification.organizationId()).replaceWith(true)
                .onFailure(failure -> failure instanceof ProblemException problem && problem.status() < 500)
                .recoverWithItem(failure -> {
                    LOG.warnf("notification %s of organisation %s dropped: agent %s cannot be told (%s)",
                            notification.notificationId(), notification.organizationId(), channel.agentId(),
                            failure.getMessage());
                    return false;
                });
    }

    /** What a notification needs to be delivered at all; without it, it is a poison event. */
    private void check(CloudEvent event, NotificationEvent notification) {
        if (blank(notification.notificationId()) || notification.notificationId().length() > 255
                || blank(notification.organizationId()) || notification.channel() == null
                || notification.message() == null) {
            throw poison(event, "needs notification_id (at most 255 characters), organization_id, channel and message");
        }
        if (event.organizationId() != null && !event.organizationId().equals(notification.organizationId())) {
            throw poison(event, "names another organisation than its event");
        }
        checkMessage(event, notification.message());
        NotificationEvent.Channel channel = notification.channel();
        String type = channel.type() == null ? "" : channel.type();
        switch (type) {
            case NotificationEvent.Channel.EMAIL -> {
                if (channel.to() == null || channel.to().isEmpty()
                        || channel.to().size() > NotificationEvent.Channel.MAX_RECIPIENTS) {
                    throw poison(event, "an email channel needs 1 to " + NotificationEvent.Channel.MAX_RECIPIENTS
                            + " addresses in 'to'");
                }
                if (!channel.to().stream().allMatch(NotificationEvent.Channel::isEmailAddress)) {
                    throw poison(event, "an email channel's 'to' holds an address that is not a valid e-mail address");
                }
            }
            case NotificationEvent.Channel.AGENT -> {
                if (channel.agentId() == null || !PrefixedId.isValid(PrefixedId.AGENT, channel.agentId())) {
                    throw poison(event, "an agent channel needs an agent id in 'agent_id'");
                }
            }
            case NotificationEvent.Channel.WEBHOOK -> {
                if (channel.url() != null && channel.url().length() > MAX_URL) {
                    throw poison(event, "a webhook channel's 'url' is longer than " + MAX_URL + " characters");
                }
                try {
                    egress.checkStatic(channel.url() == null ? "" : channel.url());
                } catch (EgressDeniedException e) {
                    throw poison(event, "a webhook channel's 'url' is not an allowed URL: " + e.getMessage());
                }
            }
            default -> throw poison(event, "channel type must be email, agent or webhook");
        }
    }

    /** A message within what any channel shows: bounded texts and facts, none of them null. */
    private static void checkMessage(CloudEvent event, NotificationEvent.Message message) {
        if (longer(message.title(), MAX_TITLE) || longer(message.text(), MAX_TEXT)
                || longer(message.link(), MAX_URL) || message.status() != null && message.status().length() > 16) {
            throw poison(event, "has a message longer than allowed (title " + MAX_TITLE + ", text " + MAX_TEXT
                    + ", link " + MAX_URL + " characters)");
        }
        List<NotificationEvent.Fact> facts = message.facts() == null ? List.of() : message.facts();
        if (facts.size() > MAX_FACTS || facts.stream().anyMatch(fact -> fact == null || blank(fact.name())
                || longer(fact.name(), MAX_TITLE) || longer(fact.value(), MAX_TITLE))) {
            throw poison(event, "needs at most " + MAX_FACTS + " facts, each with a name, name and value at most "
                    + MAX_TITLE + " characters");
        }
    }

    private static boolean longer(String text, int max) {
        return text != null && text.length() > max;
    }

    private static PoisonEventException poison(CloudEvent event, String reason) {
        return new PoisonEventException("notification event " + event.id() + " " + reason);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
