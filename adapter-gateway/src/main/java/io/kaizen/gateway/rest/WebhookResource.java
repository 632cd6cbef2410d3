package io.kaizen.gateway.rest;

import java.net.URI;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.common.egress.EgressDeniedException;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.TextLength;
import io.kaizen.common.security.CurrentPrincipal;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.common.security.Permissions;
import io.kaizen.gateway.domain.Webhook;
import io.kaizen.gateway.rest.DeliveryViews.DeliveryPage;
import io.kaizen.gateway.rest.DeliveryViews.DeliveryView;
import io.kaizen.gateway.rest.WebhookViews.Catalogue;
import io.kaizen.gateway.rest.WebhookViews.WebhookPage;
import io.kaizen.gateway.rest.WebhookViews.WebhookRequest;
import io.kaizen.gateway.rest.WebhookViews.WebhookTestRequest;
import io.kaizen.gateway.rest.WebhookViews.WebhookView;
import io.kaizen.gateway.service.Deliveries.Replay;
import io.kaizen.gateway.service.WebhookEvents;
import io.kaizen.gateway.service.Webhooks;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The organisation's webhooks (docs/webhooks.md): subscriptions to the suite's events, delivered signed. */
@Path("/api/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    /** A test event's sample data, as JSON text: enough for any real event, small enough to store for each test. */
    static final int MAX_SAMPLE_DATA = 16_384;


    private static final int MAX_NAME = 100;
    private static final int MAX_URL = 2048;
    private static final int MAX_DESCRIPTION = 1000;
    private static final int MAX_EVENTS = 50;
    private static final Set<String> SIGNINGS = Set.of(Webhook.STANDARD, Webhook.LEGACY);
    private static final Set<String> STATUSES = Set.of(Webhook.ACTIVE, Webhook.DISABLED);

    private final Webhooks webhooks;
    private final CurrentPrincipal caller;
    private final EgressGuard egress;

    WebhookResource(Webhooks webhooks, CurrentPrincipal caller, EgressGuard egress) {
        this.webhooks = webhooks;
        this.caller = caller;
        this.egress = egress;
    }

    @GET
    @Path("/events")
    @PermissionsAllowed(Permissions.WEBHOOKS_READ)
    @APIResponse(responseCode = "200", description = "The event types a webhook can subscribe to",
            content = @Content(schema = @Schema(implementation = Catalogue.class)))
    public Catalogue events() {
        return Catalogue.of(WebhookEvents.CATALOGUE);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.WEBHOOKS_CREATE)
    @APIResponse(responseCode = "201", description = "Created; the answer holds the secret, shown this once",
            content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "400", description = "A missing or invalid field, an unknown event type, a URL the"
            + " egress guard refuses")
    public Uni<RestResponse<WebhookView>> create(@RequestBody(required = true, content = @Content(schema = @Schema(
            implementation = WebhookRequest.class, requiredProperties = {"name", "url", "events"}))) WebhookRequest body) {
        if (body == null) {
            throw ProblemException.validation("A request body is required");
        }
        require(body.name(), "name");
        require(body.url(), "url");
        if (body.events() == null) {
            throw ProblemException.validation("Field 'events' is required");
        }
        KaizenPrincipal principal = caller.get();
        return webhooks.create(principal.organizationId(), principal.subject(), spec(body))
                .map(created -> RestResponse.ResponseBuilder.<WebhookView>created(
                        URI.create("/api/v1/webhooks/" + created.webhook().id)).entity(WebhookView.of(created)).build());
    }

    @GET
    @PermissionsAllowed(Permissions.WEBHOOKS_READ)
    public Uni<WebhookPage> list(@QueryParam("page") String page, @QueryParam("limit") String limit) {
        return webhooks.list(caller.organizationId(), Paging.parse(page, limit, 20, 100)).map(WebhookPage::of);
    }

    @GET
    @Path("/{id}")
    @PermissionsAllowed(Permissions.WEBHOOKS_READ)
    @APIResponse(responseCode = "200", description = "The webhook, never its secret",
            content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<WebhookView> get(@PathParam("id") String id) {
        return webhooks.get(caller.organizationId(), webhookId(id)).map(webhook -> WebhookView.of(found(webhook)));
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.WEBHOOKS_UPDATE)
    @APIResponse(responseCode = "200", description = "The webhook after the change; status active re-enables a"
            + " disabled webhook", content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "400", description = "An invalid field")
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<WebhookView> update(@PathParam("id") String id, WebhookRequest body) {
        String webhookId = webhookId(id);
        if (body == null) {
            throw ProblemException.validation("A request body is required");
        }
        return webhooks.update(caller.organizationId(), webhookId, spec(body))
                .map(webhook -> WebhookView.of(found(webhook)));
    }

    @DELETE
    @Path("/{id}")
    @PermissionsAllowed(Permissions.WEBHOOKS_DELETE)
    @APIResponse(responseCode = "204", description = "Deleted, with its deliveries")
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return webhooks.delete(caller.organizationId(), webhookId(id)).map(deleted -> {
            if (!deleted) {
                throw notFound();
            }
            return RestResponse.noContent();
        });
    }

    @POST
    @Path("/{id}/rotate-secret")
    @PermissionsAllowed(Permissions.WEBHOOKS_UPDATE)
    @APIResponse(responseCode = "200", description = "The webhook with its new secret, shown this once; the old one"
            + " signs nothing more", content = @Content(schema = @Schema(implementation = WebhookView.class)))
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<WebhookView> rotateSecret(@PathParam("id") String id) {
        return webhooks.rotate(caller.organizationId(), webhookId(id)).map(rotated -> {
            if (rotated == null) {
                throw notFound();
            }
            return WebhookView.of(rotated);
        });
    }

    @POST
    @Path("/{id}/test")
    @Consumes(MediaType.APPLICATION_JSON)
    @PermissionsAllowed(Permissions.WEBHOOKS_UPDATE)
    @APIResponse(responseCode = "202", description = "A sample event is stored for delivery; follow it at"
            + " GET /api/v1/webhooks/{id}/deliveries", content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    @APIResponse(responseCode = "400", description = "event_type is missing or not a catalogue name, or sample_data"
            + " is longer than 16,384 characters of JSON")
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<RestResponse<DeliveryView>> test(@PathParam("id") String id, WebhookTestRequest body) {
        String webhookId = webhookId(id);
        if (body == null || body.eventType() == null) {
            throw ProblemException.validation("Field 'event_type' is required");
        }
        if (body.sampleData() != null && body.sampleData().toString().length() > MAX_SAMPLE_DATA) {
            throw ProblemException.validation("Field 'sample_data' must be at most " + MAX_SAMPLE_DATA
                    + " characters of JSON");
        }
        WebhookEvents.Entry entry = WebhookEvents.named(body.eventType()).orElseThrow(() -> ProblemException
                .validation("Field 'event_type' must name an event type of GET /api/v1/webhooks/events")
                .with("unknown_events", List.of(body.eventType())));
        return webhooks.test(caller.organizationId(), webhookId, entry, body.sampleData())
                .map(delivery -> RestResponse.accepted(DeliveryView.of(delivery.orElseThrow(WebhookResource::notFound))));
    }

    @GET
    @Path("/{id}/deliveries")
    @PermissionsAllowed(Permissions.WEBHOOKS_READ)
    @APIResponse(responseCode = "200", description = "The webhook's deliveries, newest first, with their attempts",
            content = @Content(schema = @Schema(implementation = DeliveryPage.class)))
    @APIResponse(responseCode = "404", description = "No such webhook in the organisation")
    public Uni<DeliveryPage> deliveries(@PathParam("id") String id, @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        String webhookId = webhookId(id);
        return webhooks.deliveries(caller.organizationId(), webhookId, Paging.parse(page, limit, 20, 100))
                .map(found -> DeliveryPage.of(found.orElseThrow(WebhookResource::notFound)));
    }

    @POST
    @Path("/{id}/deliveries/{delivery_id}/retry")
    @PermissionsAllowed(Permissions.WEBHOOKS_UPDATE)
    @APIResponse(responseCode = "200", description = "The delivery, pending again with a new schedule",
            content = @Content(schema = @Schema(implementation = DeliveryView.class)))
    @APIResponse(responseCode = "404", description = "No such webhook or delivery of it in the organisation")
    @APIResponse(responseCode = "409", description = "The delivery is pending or delivered: nothing to replay")
    public Uni<DeliveryView> retry(@PathParam("id") String id, @PathParam("delivery_id") String deliveryId) {
        String webhookId = webhookId(id);
        if (!PrefixedId.isValid(PrefixedId.DELIVERY, deliveryId)) {
            throw ProblemException.notFound("The delivery does not exist or you don't have access");
        }
        return webhooks.retry(caller.organizationId(), webhookId, deliveryId).map(replay -> {
            if (replay instanceof Replay.Replayed replayed) {
                return DeliveryView.of(replayed.delivery());
            }
            if (replay instanceof Replay.NotReplayable refused) {
                throw ProblemException.conflict("The delivery is " + refused.status()
                        + "; only a failed or exhausted delivery can be retried").with("status", refused.status());
            }
            throw ProblemException.notFound("The delivery does not exist or you don't have access");
        });
    }

    /** The request as a service spec, every present field checked; absent fields stay null. */
    private Webhooks.Spec spec(WebhookRequest body) {
        if (body.name() != null && (body.name().isBlank() || TextLength.of(body.name()) > MAX_NAME)) {
            throw ProblemException.validation("Field 'name' must be 1 to " + MAX_NAME + " characters");
        }
        if (body.url() != null) {
            if (TextLength.of(body.url()) > MAX_URL) {
                throw ProblemException.validation("Field 'url' must be at most " + MAX_URL + " characters");
            }
            try {
                egress.checkStatic(body.url());
            } catch (EgressDeniedException e) {
                throw ProblemException.validation("Field 'url' is not an allowed URL: " + e.getMessage());
            }
        }
        if (body.events() != null) {
            if (body.events().isEmpty() || body.events().size() > MAX_EVENTS) {
                throw ProblemException.validation("Field 'events' must name 1 to " + MAX_EVENTS + " event types");
            }
            if (body.events().stream().anyMatch(event -> event == null || TextLength.of(event) > 100)) {
                throw ProblemException.validation("Field 'events' must hold event type names");
            }
            List<String> unknown = WebhookEvents.unknown(body.events());
            if (!unknown.isEmpty()) {
                throw ProblemException.validation("Field 'events' names event types that are not in the catalogue"
                        + " (GET /api/v1/webhooks/events): " + String.join(", ", unknown))
                        .with("unknown_events", unknown);
            }
        }
        if (body.signing() != null && !SIGNINGS.contains(body.signing())) {
            throw ProblemException.validation("Field 'signing' must be standard or legacy");
        }
        if (body.description() != null && TextLength.of(body.description()) > MAX_DESCRIPTION) {
            throw ProblemException.validation("Field 'description' must be at most " + MAX_DESCRIPTION + " characters");
        }
        if (body.status() != null && !STATUSES.contains(body.status())) {
            throw ProblemException.validation("Field 'status' must be active or disabled");
        }
        return new Webhooks.Spec(body.name() == null ? null : body.name().strip(), body.url(),
                body.events() == null ? null : body.events().stream().distinct().toList(), body.signing(),
                body.description(), body.status());
    }

    private static void require(String value, String field) {
        if (value == null) {
            throw ProblemException.validation("Field '" + field + "' is required");
        }
    }

    private static String webhookId(String id) {
        if (!PrefixedId.isValid(PrefixedId.WEBHOOK, id)) {
            throw notFound();
        }
        return id;
    }

    private static Webhook found(Webhook webhook) {
        if (webhook == null) {
            throw notFound();
        }
        return webhook;
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("The webhook does not exist or you don't have access");
    }
}
