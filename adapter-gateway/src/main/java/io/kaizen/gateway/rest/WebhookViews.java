package io.kaizen.gateway.rest;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.openapi.WireContract;
import io.kaizen.gateway.domain.Webhook;
import io.kaizen.gateway.service.WebhookEvents;
import io.kaizen.gateway.service.Webhooks;
import jakarta.validation.constraints.Pattern;

/** Requests and answers of the webhooks API; a webhook's URL is answered masked, its secret once. */
final class WebhookViews {

    private WebhookViews() {
    }

    @Schema(name = "WebhookRequest", description = "On creation name, url and events are required. On update (PATCH)"
            + " every field is optional, and a field that is absent or null stays as it is")
    record WebhookRequest(
            @Schema(description = "1 to 100 characters, not blank", minLength = 1, maxLength = 100,
                    pattern = WireContract.NOT_BLANK) String name,
            @Schema(description = "http(s) URL the egress guard allows; https in production", maxLength = 2048,
                    pattern = EgressGuard.URL_PATTERN) String url,
            @Schema(description = "Catalogue names or groups (GET /api/v1/webhooks/events), e.g. invocation.failed,"
                    + " budget.*", minItems = 1, maxItems = 50)
            List<@Pattern(regexp = WebhookEvents.SUBSCRIPTION_PATTERN) String> events,
            @Schema(enumeration = { Webhook.STANDARD, Webhook.LEGACY }, defaultValue = Webhook.STANDARD) String signing,
            @Schema(nullable = true, description = "At most 1000 characters", maxLength = 1000) String description,
            @Schema(enumeration = { Webhook.ACTIVE, Webhook.DISABLED }, defaultValue = Webhook.ACTIVE) String status) {
    }

    @Schema(name = "WebhookTestRequest")
    record WebhookTestRequest(
            @Schema(description = "A catalogue name (no group), e.g. invocation.failed", required = true,
                    pattern = WebhookEvents.NAME_PATTERN) String eventType,
            @Schema(nullable = true, description = "Any JSON, sent as data.sample_data") JsonNode sampleData) {
    }

    @Schema(name = "Webhook")
    record WebhookView(
            String id,
            String name,
            @Schema(description = "Scheme and host; a path or query, which may carry a secret, is masked",
                    examples = "https://hooks.example.com/…") String url,
            @Schema(nullable = true) String description,
            List<String> events,
            @Schema(enumeration = { Webhook.STANDARD, Webhook.LEGACY }) String signing,
            @Schema(enumeration = { Webhook.ACTIVE, Webhook.DISABLED }) String status,
            @Schema(description = "Failed deliveries since the last delivered one") int consecutiveFailures,
            @Schema(nullable = true) Instant disabledAt,
            @Schema(nullable = true) Instant lastDeliveryAt,
            @Schema(nullable = true) String createdBy,
            Instant createdAt,
            Instant updatedAt,
            @Schema(description = "whsec_…: answered at creation and rotation only, never again",
                    extensions = @Extension(name = WireContract.OMITTED_WHEN_NULL, value = "true"))
            @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {

        static WebhookView of(Webhook webhook) {
            return of(webhook, null);
        }

        static WebhookView of(Webhooks.WithSecret created) {
            return of(created.webhook(), created.secret());
        }

        private static WebhookView of(Webhook webhook, String secret) {
            return new WebhookView(webhook.id, webhook.name, DeliveryViews.masked(webhook.url), webhook.description,
                    Webhooks.events(webhook), webhook.signing, webhook.status, webhook.consecutiveFailures,
                    webhook.disabledAt, webhook.lastDeliveryAt, webhook.createdBy, webhook.createdAt,
                    webhook.updatedAt, secret);
        }
    }

    @Schema(name = "WebhookPage")
    record WebhookPage(List<WebhookView> items, long total, int page, int limit, boolean hasMore) {

        static WebhookPage of(Webhooks.Page page) {
            return new WebhookPage(page.items().stream().map(WebhookView::of).toList(), page.total(),
                    page.paging().page(), page.paging().limit(), page.paging().hasMore(page.total()));
        }
    }

    @Schema(name = "WebhookEventCatalogue")
    record Catalogue(List<CatalogueEntry> events) {

        static Catalogue of(List<WebhookEvents.Entry> entries) {
            return new Catalogue(entries.stream()
                    .map(entry -> new CatalogueEntry(entry.name(), entry.type(), entry.description())).toList());
        }
    }

    @Schema(name = "WebhookEventType")
    record CatalogueEntry(
            @Schema(description = "What a subscription names", examples = "invocation.failed") String name,
            @Schema(description = "The CloudEvents type a delivery carries", examples = "kaizen.invocation.failed.v1")
            String type,
            String description) {
    }
}
