package io.kaizen.approval.rest;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestResponse;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRefusal;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.messaging.ApprovalMessages;
import io.kaizen.approval.rest.ApprovalPageViews.NoticePage;
import io.kaizen.approval.rest.ApprovalPageViews.ReviewPage;
import io.kaizen.approval.service.ApprovalLinks;
import io.kaizen.approval.service.ApprovalLinks.LinkRead;
import io.kaizen.approval.service.ApprovalLinks.LinkRefused;
import io.kaizen.approval.service.ApprovalLinks.LinkStatus;
import io.kaizen.common.rest.TextLength;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/**
 * The approver page a notification links to: the request and Approve / Reject forms, plain HTML that works without
 * JavaScript. The link's token is the approver's credential here ({@link ApprovalLinks}); a decision is posted with
 * the page's form token and refused from another site ({@code Origin}, {@code Sec-Fetch-Site}), so a page elsewhere
 * cannot post one. An expired, used or refused link shows why and points to signing in. Every value is HTML-escaped
 * by the templates; the token never leaves through a {@code Referer} ({@code Referrer-Policy: same-origin}).
 */
@Path(ApprovalLinks.PAGE_PATH + "{token}")
@PermitAll
public class ApprovalPageResource {

    static final String HTML = MediaType.TEXT_HTML + ";charset=UTF-8";
    static final int MAX_REASON = 1000;
    private static final Set<String> SAME_SITE = Set.of("same-origin", "none");

    @CheckedTemplate(basePath = "approval-page")
    static class Templates {
        static native TemplateInstance review(ReviewPage page);

        static native TemplateInstance notice(NoticePage page);
    }

    private final ApprovalLinks links;
    private final String pageOrigin;

    ApprovalPageResource(ApprovalLinks links, ApprovalConfig config) {
        this.links = links;
        this.pageOrigin = origin(URI.create(config.pageUrl()));
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Uni<RestResponse<String>> show(@PathParam("token") String token) {
        return links.read(token).chain(read -> read.status() == LinkStatus.OPEN
                ? render(200, Templates.review(review(token, read, null)))
                : notice(read.status(), read.state()));
    }

    @POST
    @Path("/approve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Uni<RestResponse<String>> approve(@PathParam("token") String token, @RestForm("form_token") String formToken,
            @RestForm("reason") String reason, @HeaderParam("Origin") String origin,
            @HeaderParam("Sec-Fetch-Site") String fetchSite, @Context UriInfo uri) {
        return decide(token, formToken, ApprovalDecision.APPROVE, reason, origin, fetchSite, uri);
    }

    @POST
    @Path("/reject")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(hidden = true)
    public Uni<RestResponse<String>> reject(@PathParam("token") String token, @RestForm("form_token") String formToken,
            @RestForm("reason") String reason, @HeaderParam("Origin") String origin,
            @HeaderParam("Sec-Fetch-Site") String fetchSite, @Context UriInfo uri) {
        return decide(token, formToken, ApprovalDecision.REJECT, reason, origin, fetchSite, uri);
    }

    private Uni<RestResponse<String>> decide(String token, String formToken, String kind, String reason, String origin,
            String fetchSite, UriInfo uri) {
        if (!sameSite(origin, fetchSite, uri)) {
            return notice(LinkStatus.CROSS_SITE, null);
        }
        String why = ApprovalResource.blankToNull(reason);
        String error = null;
        if (why == null && kind.equals(ApprovalDecision.REJECT)) {
            error = "A reason is required to reject.";
        } else if (why != null && TextLength.of(why) > MAX_REASON) {
            error = "The reason must be at most " + MAX_REASON + " characters.";
        }
        if (error != null) {
            String message = error;
            // the same page again, with what is wrong: nothing is decided and the link stays unused
            return links.read(token).chain(read -> read.status() == LinkStatus.OPEN
                    ? render(400, Templates.review(review(token, read, message)))
                    : notice(read.status(), read.state()));
        }
        return links.decide(token, formToken, kind, why)
                .chain(state -> render(200, Templates.notice(decided(state, kind))))
                .onFailure(LinkRefused.class).recoverWithUni(e -> notice(((LinkRefused) e).status(), null))
                .onFailure(ApprovalRefusal.class).recoverWithUni(e -> refused((ApprovalRefusal) e));
    }

    /**
     * A decision comes from this page only: a browser says where a form was posted from ({@code Sec-Fetch-Site},
     * {@code Origin}); either, when sent, must be this site. The form token covers clients that send neither.
     */
    private boolean sameSite(String origin, String fetchSite, UriInfo uri) {
        if (fetchSite != null && !SAME_SITE.contains(fetchSite.toLowerCase(Locale.ROOT))) {
            return false;
        }
        return origin == null || origin.equals(pageOrigin) || origin.equals(origin(uri.getBaseUri()));
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + (uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT))
                + (defaultPort ? "" : ":" + port);
    }

    private static ReviewPage review(String token, LinkRead read, String error) {
        ApprovalRequest r = read.state().request();
        Instant now = Instant.now();
        String action = ApprovalLinks.PAGE_PATH + token;
        return new ReviewPage(r.id, r.agentId, r.requestedBy, r.externalUserId, r.reasons,
                r.estimatedCost == null ? "not estimated" : ApprovalMessages.usd(r.estimatedCost),
                ApprovalMessages.timeLeft(now, r.expiresAt), r.expiresAt.truncatedTo(ChronoUnit.SECONDS).toString(),
                r.payloadSummary, read.recipient(), r.approvalCount, r.requiredApprovals, read.formToken(),
                action + "/approve", action + "/reject", error);
    }

    private static NoticePage decided(ApprovalState state, String kind) {
        ApprovalRequest r = state.request();
        String did = kind.equals(ApprovalDecision.APPROVE) ? "approved" : "rejected";
        String outcome = switch (r.status) {
            case ApprovalRequest.APPROVED -> "The request is approved: the held call runs now.";
            case ApprovalRequest.REJECTED -> "The request is rejected: the held call will not run.";
            default -> "The request waits for more approvals (" + r.approvalCount + " of " + r.requiredApprovals
                    + ").";
        };
        return new NoticePage("You " + did + " the request", "Your decision is recorded. " + outcome, r.id, r.status,
                false);
    }

    private Uni<RestResponse<String>> refused(ApprovalRefusal refusal) {
        LinkStatus status = switch (refusal.kind()) {
            case SELF_APPROVAL -> LinkStatus.SELF_APPROVAL;
            case NOT_AN_APPROVER -> LinkStatus.NOT_AN_APPROVER;
            case NOT_FOUND -> LinkStatus.INVALID;
            case EXPIRED, ALREADY_DECIDED -> LinkStatus.CLOSED;
        };
        return render(code(status), Templates.notice(new NoticePage(title(status), message(status, refusal.status()),
                refusal.requestId(), refusal.status(), true)));
    }

    private Uni<RestResponse<String>> notice(LinkStatus status, ApprovalState state) {
        ApprovalRequest r = state == null ? null : state.request();
        return render(code(status), Templates.notice(new NoticePage(title(status),
                message(status, r == null ? null : r.status), r == null ? null : r.id, r == null ? null : r.status,
                true)));
    }

    static int code(LinkStatus status) {
        return switch (status) {
            case OPEN -> 200;
            case INVALID -> 404;
            case EXPIRED, USED -> 410;
            case CLOSED -> 409;
            case SELF_APPROVAL, NOT_AN_APPROVER, CROSS_SITE -> 403;
        };
    }

    private static String title(LinkStatus status) {
        return switch (status) {
            case OPEN -> "Approval request";
            case INVALID -> "This link is not valid";
            case EXPIRED -> "This link has expired";
            case USED -> "This link was already used";
            case CLOSED -> "This request is no longer pending";
            case SELF_APPROVAL -> "You cannot approve your own request";
            case NOT_AN_APPROVER -> "You are not an approver of this request";
            case CROSS_SITE -> "Decision refused";
        };
    }

    private static String message(LinkStatus status, String requestStatus) {
        return switch (status) {
            case OPEN -> "";
            case INVALID -> "The link is incomplete or was changed.";
            case EXPIRED -> "Links to approval requests work for a limited time.";
            case USED -> "Each link decides once.";
            case CLOSED -> "The request is " + requestStatus + ".";
            case SELF_APPROVAL -> "The workflow of this request does not let its requester approve it.";
            case NOT_AN_APPROVER -> "This link was sent to someone who is not a listed approver of the request.";
            case CROSS_SITE -> "The decision did not come from this page. Open the link again and decide there.";
        };
    }

    private static Uni<RestResponse<String>> render(int status, TemplateInstance page) {
        return page.createUni().map(html -> RestResponse.ResponseBuilder.<String>create(status).entity(html)
                .header("Content-Type", HTML)
                // the page holds a credential in its URL and a form token: never cached nor framed, and its URL is
                // never sent to another site as a Referer (same-origin, not no-referrer: that would blank the Origin
                // of the page's own posts)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "same-origin")
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                        + " frame-ancestors 'none'; base-uri 'none'")
                .build());
    }
}
