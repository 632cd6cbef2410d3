package io.kaizen.gateway.rest;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.gateway.domain.Delivery;
import io.kaizen.gateway.domain.DeliveryAttempt;
import io.kaizen.gateway.service.Deliveries;

/** How deliveries and their attempts are answered; a destination shows its scheme and host only. */
final class DeliveryViews {

    private DeliveryViews() {
    }

    @Schema(name = "Delivery")
    record DeliveryView(
            String id,
            @Schema(nullable = true) String invocationId,
            @Schema(description = "callback, notification, …") String kind,
            @Schema(nullable = true, description = "The platform whose rate throttles the destination") String platform,
            @Schema(description = "Scheme and host of the destination; its path, which may carry a secret, is masked",
                    examples = "https://hooks.slack.com/…") String destination,
            @Schema(enumeration = { Delivery.PENDING, Delivery.DELIVERED, Delivery.FAILED, Delivery.EXHAUSTED })
            String status,
            @Schema(description = "Attempts made in all, replays included") int attemptCount,
            @Schema(nullable = true, description = "When it is tried next; null unless pending") Instant nextAttemptAt,
            @Schema(nullable = true) Integer lastStatusCode,
            @Schema(nullable = true) String lastError,
            Instant createdAt,
            Instant updatedAt,
            @Schema(nullable = true) Instant deliveredAt,
            @Schema(description = "Every attempt, oldest first") List<AttemptView> attempts) {

        static DeliveryView of(Deliveries.DeliveryLog log) {
            Delivery delivery = log.delivery();
            boolean pending = Delivery.PENDING.equals(delivery.status);
            return new DeliveryView(delivery.id, delivery.invocationId, delivery.kind, delivery.platform,
                    masked(delivery.destinationUrl), delivery.status, delivery.attempts,
                    pending ? delivery.nextAttemptAt : null, delivery.lastStatusCode, delivery.lastError,
                    delivery.createdAt, delivery.updatedAt, delivery.deliveredAt,
                    log.attempts().stream().map(AttemptView::of).toList());
        }
    }

    @Schema(name = "DeliveryAttempt")
    record AttemptView(
            @Schema(description = "1 for the delivery's first attempt") int attempt,
            Instant attemptedAt,
            @Schema(nullable = true, description = "The answer's HTTP status (an e-mail's SMTP reply code); null when none came") Integer statusCode,
            // no enumeration: the served document would then refuse the null of a successful attempt
            @Schema(nullable = true, description = "http, timeout, connection, refused or smtp; null for a 2xx answer"
                    + " or an e-mail the mail server took")
            String errorKind,
            long durationMs,
            @Schema(nullable = true) String error,
            @Schema(nullable = true, description = "At most 2 KB of the answer, secret-looking values removed")
            String responseExcerpt) {

        static AttemptView of(DeliveryAttempt attempt) {
            return new AttemptView(attempt.attempt, attempt.attemptedAt, attempt.statusCode, attempt.errorKind,
                    attempt.durationMs, attempt.error, attempt.responseExcerpt);
        }
    }

    @Schema(name = "InvocationDeliveries")
    record InvocationDeliveries(String invocationId, List<DeliveryView> items) {
    }

    @Schema(name = "DeliveryPage")
    record DeliveryPage(List<DeliveryView> items, long total, int page, int limit, boolean hasMore) {

        static DeliveryPage of(Deliveries.DeliveryPage page) {
            return new DeliveryPage(page.items().stream().map(DeliveryView::of).toList(), page.total(),
                    page.paging().page(), page.paging().limit(), page.paging().hasMore(page.total()));
        }
    }

    /** {@code scheme://host[:port]}, then {@code /…} when a path or query followed: they may carry a secret. */
    static String masked(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.isOpaque()) {
                // mailto:<addresses>, agent:<id>: the scheme says what it is, the rest is personal or internal
                return uri.getScheme() + ":…";
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "unparseable";
            }
            String rest = uri.getRawPath() == null ? "" : uri.getRawPath();
            boolean more = !(rest.isEmpty() || rest.equals("/")) || uri.getRawQuery() != null;
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + (more ? "/…" : "");
        } catch (IllegalArgumentException e) {
            return "unparseable";
        }
    }
}
