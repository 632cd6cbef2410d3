package io.kaizen.approval.service;

import java.time.Instant;
import java.util.Set;

import io.kaizen.approval.config.ApprovalConfig;
import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalLink;
import io.kaizen.approval.domain.ApprovalRefusal;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.common.events.NotificationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.security.KaizenPrincipal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * The signed, expiring, single-use links of approver notifications. A link is its recipient's: deciding through it is
 * deciding as that approver, under the same rules as the API ({@link ApprovalDecisions}), so it works only while its
 * recipient is a listed approver of the request (by user id or e-mail in {@code approver_users}). The link is used up
 * in the transaction of the decision it carries, under its row's lock, so two submissions of one link decide once.
 */
@ApplicationScoped
public class ApprovalLinks {

    /** The page's path below the public address; the router sends {@code /approvals/**} to this service. */
    public static final String PAGE_PATH = "/approvals/review/";
    /** How a link's decider authenticated, as the decision's principal says. */
    static final String METHOD = "approval_link";

    /** What a link gives access to, or why it gives none. */
    public enum LinkStatus {
        /** The recipient may decide the pending request now. */
        OPEN,
        /** No such link, or its signature does not match: tampered or signed under another key. */
        INVALID,
        /** Past its expiry: the approver signs in instead. */
        EXPIRED,
        /** Already used for a decision. */
        USED,
        /** The request is no longer pending (decided or expired). */
        CLOSED,
        /** The recipient is the requester and the workflow forbids self-approval. */
        SELF_APPROVAL,
        /** The recipient is not (or no longer) a listed approver of the request. */
        NOT_AN_APPROVER,
        /** A decision posted without the page's form token, or from another site: refused as a forgery. */
        CROSS_SITE
    }

    /** A link as read: its status, the request it is for (null when INVALID) and the form token of its page. */
    public record LinkRead(LinkStatus status, ApprovalState state, String recipient, String formToken) {
    }

    /** A link that cannot carry a decision. */
    public static class LinkRefused extends RuntimeException {

        private final LinkStatus status;

        public LinkRefused(LinkStatus status) {
            super(status.name(), null, false, false);
            this.status = status;
        }

        public LinkStatus status() {
            return status;
        }
    }

    private final ApprovalConfig config;
    private final ApprovalDecisions decisions;
    private final ApprovalMetrics metrics;
    private final LinkTokens tokens;

    ApprovalLinks(ApprovalConfig config, ApprovalDecisions decisions, ApprovalMetrics metrics) {
        this.config = config;
        this.decisions = decisions;
        this.metrics = metrics;
        this.tokens = config.linkKey().filter(k -> !k.isBlank()).map(LinkTokens::new).orElse(null);
    }

    /**
     * A new link of {@code recipient} to the page of {@code request}, stored in the caller's transaction; its URL.
     * It works until the request's due time, at most {@code kaizen.approvals.link-ttl}.
     */
    public Uni<String> issue(ApprovalRequest request, String recipient, Instant now) {
        ApprovalLink link = new ApprovalLink();
        link.id = PrefixedId.next(LinkTokens.LINK_PREFIX);
        link.requestId = request.id;
        link.recipient = recipient;
        link.createdAt = now;
        Instant capped = now.plus(config.linkTtl());
        link.expiresAt = request.expiresAt.isBefore(capped) ? request.expiresAt : capped;
        return link.persist().map(ignored -> pageUrl(signer().token(link)));
    }

    /** What the link of {@code token} shows; reads only. */
    @WithSession
    public Uni<LinkRead> read(String token) {
        Instant now = Instant.now();
        return find(token, LockModeType.NONE).chain(link -> {
            if (link == null) {
                return Uni.createFrom().item(new LinkRead(LinkStatus.INVALID, null, null, null));
            }
            return ApprovalRequest.<ApprovalRequest>findById(link.requestId)
                    .chain(ApprovalRequests::state)
                    .map(state -> new LinkRead(status(link, state.request(), now), state, link.recipient,
                            signer().formToken(link.id)));
        });
    }

    /**
     * Decides through a link: {@code kind} is {@link ApprovalDecision#APPROVE} or {@link ApprovalDecision#REJECT}.
     * Fails with {@link LinkRefused} when the link cannot carry it (the form token included) and with
     * {@link ApprovalRefusal} when the decision rules refuse it; either way the link stays unused.
     */
    public Uni<ApprovalState> decide(String token, String formToken, String kind, String reason) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> find(token, LockModeType.PESSIMISTIC_WRITE).chain(link -> {
                    if (link == null) {
                        throw new LinkRefused(LinkStatus.INVALID);
                    }
                    if (!signer().formMatches(formToken, link.id)) {
                        throw new LinkRefused(LinkStatus.CROSS_SITE);
                    }
                    if (link.usedAt != null) {
                        throw new LinkRefused(LinkStatus.USED);
                    }
                    if (!link.expiresAt.isAfter(now)) {
                        throw new LinkRefused(LinkStatus.EXPIRED);
                    }
                    link.usedAt = now;
                    return ApprovalRequest.<ApprovalRequest>findById(link.requestId)
                            .chain(request -> decisions.decide(request.id, principal(link, request), kind, reason));
                }))
                .invoke(metrics::decided);
    }

    /** The principal a link decides as: its recipient, in the request's organisation, with no roles of its own. */
    static KaizenPrincipal principal(ApprovalLink link, ApprovalRequest request) {
        String email = NotificationEvent.Channel.isEmailAddress(link.recipient) ? link.recipient : null;
        return new KaizenPrincipal(link.recipient, request.organizationId, null, email, Set.of(), METHOD, null, null,
                null);
    }

    private LinkStatus status(ApprovalLink link, ApprovalRequest request, Instant now) {
        if (link.usedAt != null) {
            return LinkStatus.USED;
        }
        if (!link.expiresAt.isAfter(now)) {
            return LinkStatus.EXPIRED;
        }
        try {
            ApprovalDecisions.check(request, request.id, principal(link, request), now);
            return LinkStatus.OPEN;
        } catch (ApprovalRefusal refusal) {
            return switch (refusal.kind()) {
                case SELF_APPROVAL -> LinkStatus.SELF_APPROVAL;
                case NOT_AN_APPROVER -> LinkStatus.NOT_AN_APPROVER;
                case NOT_FOUND -> LinkStatus.INVALID;
                case EXPIRED, ALREADY_DECIDED -> LinkStatus.CLOSED;
            };
        }
    }

    /** The stored link a well-signed token names, else null; a malformed token reads nothing. */
    private Uni<ApprovalLink> find(String token, LockModeType lock) {
        String id = LinkTokens.linkId(token);
        if (id == null) {
            return Uni.createFrom().nullItem();
        }
        return ApprovalLink.<ApprovalLink>findById(id, lock)
                .map(link -> signer().matches(token, link) ? link : null);
    }

    private String pageUrl(String token) {
        String base = config.pageUrl();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + PAGE_PATH + token;
    }

    private LinkTokens signer() {
        if (tokens == null) {
            throw new IllegalStateException("kaizen.approvals.link-key is not set");
        }
        return tokens;
    }
}
