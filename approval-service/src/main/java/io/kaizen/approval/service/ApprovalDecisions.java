package io.kaizen.approval.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalRefusal;
import io.kaizen.approval.domain.ApprovalRefusal.Kind;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.messaging.ApprovalEvents;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.security.KaizenPrincipal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Approvers' decisions, and the one way a request's transition is recorded ({@link #record}), which the expiry and
 * the approval of a trusted requester's request use too. Each decision runs in one transaction holding the request's row lock, so two approvers deciding at the same
 * instant are serialised: the request is decided exactly once, and the later decision finds it decided. A request is
 * approved once {@code required_approvals} distinct people approved it (an approver approving again, with or without
 * one of their API keys, changes nothing), and rejected by the first rejection.
 */
@ApplicationScoped
public class ApprovalDecisions {

    static final String PREFIX = "apd";

    private final ApprovalEvents events;
    private final ApprovalMetrics metrics;

    ApprovalDecisions(ApprovalEvents events, ApprovalMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    public Uni<ApprovalState> approve(String id, KaizenPrincipal approver, String reason) {
        return decided(id, approver, ApprovalDecision.APPROVE, reason);
    }

    public Uni<ApprovalState> reject(String id, KaizenPrincipal approver, String reason) {
        return decided(id, approver, ApprovalDecision.REJECT, reason);
    }

    /** A decision in a transaction of its own, counted once it is committed. */
    private Uni<ApprovalState> decided(String id, KaizenPrincipal approver, String kind, String reason) {
        return Panache.withTransaction(() -> decide(id, approver, kind, reason)).invoke(metrics::decided);
    }

    /** A decision in the caller's transaction: the API's, or that of an approver page link ({@link ApprovalLinks}). */
    Uni<ApprovalState> decide(String id, KaizenPrincipal approver, String kind, String reason) {
        Instant now = Instant.now();
        return ApprovalRequest.<ApprovalRequest>findById(id, LockModeType.PESSIMISTIC_WRITE)
                .chain(request -> {
                    check(request, id, approver, now);
                    return ApprovalRequests.state(request);
                })
                .chain(state -> {
                    boolean decidedBefore = state.decisions().stream().anyMatch(d -> d.by(approver.persons()));
                    if (decidedBefore && kind.equals(ApprovalDecision.APPROVE)) {
                        // the same approver twice counts once
                        return Uni.createFrom().item(state);
                    }
                    if (decidedBefore) {
                        throw new ApprovalRefusal(Kind.ALREADY_DECIDED, id, state.request().status);
                    }
                    ApprovalDecision decision = decision(id, approver.subject(), kind, reason, now);
                    decision.approverOwner = approver.apiKeyOwner();
                    return record(state, decision, now);
                });
    }

    /**
     * Records a transition of an undecided request whose row the caller's transaction holds (or which it has just
     * created): {@code decision} (an approver's, or {@link ApprovalDecision#SYSTEM}'s rejection at timeout), or none
     * when it expires. The request ends when a decision rejects it, completes its approvals, or it expires; its events
     * are {@code approval.decision_recorded} for a decision, then the outcome, if it ended. An ended request has no
     * escalation or reminder due.
     */
    Uni<ApprovalState> record(ApprovalState before, ApprovalDecision decision, Instant now) {
        return record(before, decision, false, now);
    }

    /**
     * Records {@link ApprovalDecision#SYSTEM}'s approval of a trusted requester's request: it approves the request
     * whatever its quorum (trust is the workflow's word for it), and is recorded as any other decision.
     */
    Uni<ApprovalState> approveTrusted(ApprovalState before, String reason, Instant now) {
        return record(before, decision(before.request().id, ApprovalDecision.SYSTEM, ApprovalDecision.APPROVE, reason,
                now), true, now);
    }

    private Uni<ApprovalState> record(ApprovalState before, ApprovalDecision decision, boolean conclusive,
            Instant now) {
        ApprovalRequest request = before.request();
        List<ApprovalDecision> decisions = new ArrayList<>(before.decisions());
        List<String> types = new ArrayList<>();
        String outcome = null;
        if (decision == null) {
            outcome = EventTypes.APPROVAL_EXPIRED;
            request.status = ApprovalRequest.EXPIRED;
        } else {
            decisions.add(decision);
            types.add(EventTypes.APPROVAL_DECISION_RECORDED);
            if (decision.decision.equals(ApprovalDecision.REJECT)) {
                request.rejectionCount++;
                outcome = EventTypes.APPROVAL_REJECTED;
                request.status = ApprovalRequest.REJECTED;
            } else if (++request.approvalCount >= request.requiredApprovals || conclusive) {
                outcome = EventTypes.APPROVAL_APPROVED;
                request.status = ApprovalRequest.APPROVED;
            }
        }
        if (outcome != null) {
            request.decidedAt = now;
            request.escalateAt = null;
            request.nextReminderAt = null;
            types.add(outcome);
        }
        ApprovalState after = new ApprovalState(request, List.copyOf(decisions), before.invocations());
        Uni<Void> stored = decision == null ? Uni.createFrom().voidItem() : decision.persist().replaceWithVoid();
        return stored.chain(() -> events.record(after, decision, types.toArray(String[]::new))).replaceWith(after);
    }

    /** Whether {@code approver} may decide {@code request} now; an {@link ApprovalRefusal} says why not. */
    static void check(ApprovalRequest request, String id, KaizenPrincipal approver, Instant now) {
        if (request == null || !request.organizationId.equals(approver.organizationId())) {
            throw new ApprovalRefusal(Kind.NOT_FOUND, id, null);
        }
        if (request.status.equals(ApprovalRequest.EXPIRED)
                || request.undecided() && !request.expiresAt.isAfter(now)) {
            throw new ApprovalRefusal(Kind.EXPIRED, id, ApprovalRequest.EXPIRED);
        }
        if (!request.undecided()) {
            throw new ApprovalRefusal(Kind.ALREADY_DECIDED, id, request.status);
        }
        // self: the requester or the owner of the requester's key, deciding as themselves or with a key of theirs
        if (!request.allowSelfApproval && !Collections.disjoint(request.requesters(), approver.persons())) {
            throw new ApprovalRefusal(Kind.SELF_APPROVAL, id, request.status);
        }
        if (!listed(request, approver)) {
            throw new ApprovalRefusal(Kind.NOT_AN_APPROVER, id, request.status);
        }
    }

    /**
     * An approver by one of the request's roles, or by name (subject, e-mail, or the owner of the API key decided
     * with: a key acts for the user who created it, within its scopes); once the request escalated, also an escalation
     * target by role or name. A target is no approver before the escalation.
     */
    static boolean listed(ApprovalRequest request, KaizenPrincipal approver) {
        return named(request.approverRoles, request.approverUsers, approver)
                || request.escalatedAt != null && named(request.escalationRoles, request.escalationUsers, approver);
    }

    private static boolean named(List<String> roles, List<String> users, KaizenPrincipal approver) {
        return approver.roles().stream().anyMatch(roles::contains)
                || approver.persons().stream().anyMatch(users::contains)
                || approver.email() != null && users.contains(approver.email());
    }

    static ApprovalDecision decision(String requestId, String approverId, String kind, String reason, Instant now) {
        ApprovalDecision decision = new ApprovalDecision();
        decision.id = PrefixedId.next(PREFIX);
        decision.requestId = requestId;
        decision.approverId = approverId;
        decision.decision = kind;
        decision.reason = reason;
        decision.decidedAt = now;
        return decision;
    }
}
