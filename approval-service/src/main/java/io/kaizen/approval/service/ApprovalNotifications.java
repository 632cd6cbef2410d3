package io.kaizen.approval.service;

import java.time.Instant;
import java.util.List;

import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.approval.messaging.ApprovalMessages;
import io.kaizen.common.outbox.Outbox;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Tells approvers of a request: one {@code kaizen.notification.requested.v1} per channel on
 * {@code kaizen.notifications.v1}, each with a new link of the channel's approver ({@link ApprovalLinks}), recorded in
 * the outbox in the caller's transaction. The gateway delivers them (e-mail, messaging agents, webhooks).
 */
@ApplicationScoped
public class ApprovalNotifications {

    private final ApprovalLinks links;
    private final Outbox outbox;

    ApprovalNotifications(ApprovalLinks links, Outbox outbox) {
        this.links = links;
        this.outbox = outbox;
    }

    /** Tells {@code channels} of the request, in the caller's transaction; nothing when there are none. */
    public Uni<Void> tell(ApprovalState state, List<NotificationChannel> channels, ApprovalMessages.Occasion occasion,
            Instant now) {
        if (channels == null || channels.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        var request = state.request();
        // one after the other: the links share the caller's session
        return Multi.createFrom().iterable(channels)
                .onItem().transformToUniAndConcatenate(channel -> links.issue(request, channel.recipient(), now)
                        .map(link -> ApprovalMessages.entry(request, channel, occasion, link, now)))
                .collect().asList()
                .chain(entries -> outbox.addAll(entries))
                .replaceWithVoid();
    }
}
