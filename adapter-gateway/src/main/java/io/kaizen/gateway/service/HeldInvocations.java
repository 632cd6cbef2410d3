package io.kaizen.gateway.service;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.rest.client.inject.RestClient;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.Decision;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.security.KaizenPrincipal;
import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.client.ApprovalClient;
import io.kaizen.gateway.domain.ApprovalOutcome;
import io.kaizen.gateway.domain.HeldInvocation;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.rest.InvokeRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Invocations held for approval (DESIGN §3 step 5): opening their approval request, storing them with what executing
 * them later needs, claiming them when their request is decided, and ending those that are never executed.
 */
@ApplicationScoped
public class HeldInvocations {

    /** The longest start of the input sent to approval-service, which masks and shortens it further. */
    static final int SUMMARY_SOURCE = 1000;
    private static final String LOCK = "select pg_advisory_xact_lock(hashtext('approval_outcome'), hashtext(:key))";

    private final ApprovalClient approvals;
    private final Outbox outbox;
    private final Deliveries deliveries;
    private final ObjectMapper mapper;

    HeldInvocations(@RestClient ApprovalClient approvals, Outbox outbox, Deliveries deliveries, ObjectMapper mapper) {
        this.approvals = approvals;
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.mapper = mapper;
    }

    /** Opens (or finds) the approval request of a held call. */
    Uni<ApprovalClient.Opened> open(String invocationId, String agentId, CallerContext caller, Decision decision,
            String input) {
        KaizenPrincipal principal = caller.principal();
        String summary = input == null || input.length() <= SUMMARY_SOURCE ? input : input.substring(0, SUMMARY_SOURCE);
        return approvals.open(new ApprovalClient.Opening(invocationId, principal.organizationId(), agentId,
                        principal.subject(), principal.apiKeyOwner(), principal.teamId(), caller.lineage().userId(),
                        decision.reason(), decision.estimatedCost(), summary, principal.roles() == null ? List.of()
                                : principal.roles().stream().sorted().toList()));
    }

    /**
     * A held call as stored: {@code invocation}; {@code resume}, the held row to execute after the commit when its
     * request was approved before the row was stored; {@code ended} when its request had ended otherwise, and the
     * call with it.
     */
    record Stored(Invocation invocation, HeldInvocation resume, boolean ended) {
    }

    /**
     * Stores the pending invocation, what executing it needs and its {@code invocation.held} event, together, under
     * the request's lock. The request may be decided already: {@code approvedAtOpen} when approval-service answered
     * the opening with {@code approved} (a trusted requester), or its outcome arrived before this call was stored (a
     * quick approver, or a request decided while this call joined it). Then an approved call is stored taken up, to
     * execute after the commit (the approval event takes up only rows not taken up yet, so it runs once), and a
     * rejected or expired one ends in this same transaction.
     */
    Uni<Stored> store(Invocation pending, String approvalRequestId, InvokeRequest request, CallerContext caller,
            String spanId, InvocationEvent event, boolean approvedAtOpen) {
        HeldInvocation row = new HeldInvocation();
        row.invocationId = pending.id;
        row.approvalRequestId = approvalRequestId;
        row.organizationId = pending.organizationId;
        row.agentId = pending.agentId;
        row.request = json(request);
        row.caller = json(caller);
        row.spanId = spanId;
        row.heldEvent = json(event);
        row.heldAt = pending.createdAt;
        return Panache.withTransaction(() -> lock(approvalRequestId)
                .chain(() -> ApprovalOutcome.<ApprovalOutcome>findById(approvalRequestId))
                .chain(outcome -> {
                    Uni<Void> held = outbox.add(Topics.INVOCATIONS, EventTypes.INVOCATION_HELD, pending.id,
                                    pending.organizationId, event)
                            .chain(() -> pending.persist()).replaceWithVoid();
                    if (outcome == null || outcome.approved()) {
                        boolean approved = approvedAtOpen || outcome != null;
                        row.approvedAt = approved ? Instant.now() : null;
                        return held.chain(() -> row.persist())
                                .replaceWith(new Stored(pending, approved ? row : null, false));
                    }
                    Ending ending = Ending.of(outcome);
                    return held.chain(() -> close(row, pending, ending, Instant.now()))
                            .replaceWith(new Stored(pending, null, true));
                }));
    }

    /**
     * Records how an approval request ended, in the caller's transaction and under the request's lock, before its
     * held calls are acted on: a call whose row is committed after this is acted on when it is stored
     * ({@link #store}). Recording it again changes nothing.
     */
    public Uni<ApprovalOutcome> decided(String approvalRequestId, String status, String reason, Instant now) {
        return lock(approvalRequestId)
                .chain(() -> ApprovalOutcome.<ApprovalOutcome>findById(approvalRequestId))
                .chain(known -> known != null ? Uni.createFrom().item(known)
                        : ApprovalOutcome.of(approvalRequestId, status, reason, now).<ApprovalOutcome>persist());
    }

    /** Forgets the outcomes recorded before {@code before}: every call of their requests was stored long since. */
    public Uni<Long> forgetOutcomes(Instant before) {
        return Panache.withTransaction(() -> ApprovalOutcome.delete("recordedAt < ?1", before));
    }

    /** Serialises, per approval request, recording its outcome and storing its held calls. */
    private static Uni<Void> lock(String approvalRequestId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(LOCK)
                        .setParameter("key", approvalRequestId)
                        .getSingleResult())
                .replaceWithVoid();
    }

    /** How a held call that is not executed ends: its status, error code and message, and its request's status. */
    public record Ending(String status, String errorCode, String message, String approvalStatus) {

        /** The end of the held calls of a request that was rejected or expired. */
        public static Ending of(ApprovalOutcome outcome) {
            boolean rejected = ApprovalOutcome.REJECTED.equals(outcome.status);
            return rejected
                    ? new Ending(Invocation.REJECTED, ErrorCode.APPROVAL_REJECTED.name(),
                            "The approval request was rejected" + (outcome.reason == null ? "" : ": " + outcome.reason),
                            outcome.status)
                    : new Ending(Invocation.EXPIRED, ErrorCode.APPROVAL_EXPIRED.name(),
                            "The approval request expired without a decision", outcome.status);
        }
    }

    /**
     * The held invocations of a rejected or expired request, to end in the caller's transaction ({@link #end} takes
     * each out of the held set): whoever commits that acts on them, once.
     */
    public Uni<List<HeldInvocation>> ofRequest(String approvalRequestId) {
        return HeldInvocation.list("approvalRequestId", approvalRequestId);
    }

    /**
     * Marks the held invocations of an approved request as taken up, in the caller's transaction. They stay held until
     * each is stored as accepted ({@link #replace}) or ended, so a gateway that stops in between leaves them to
     * {@link #stranded}.
     */
    public Uni<List<HeldInvocation>> approve(String approvalRequestId, Instant now) {
        return HeldInvocation.<HeldInvocation>list("approvalRequestId = ?1 and approvedAt is null", approvalRequestId)
                .invoke(rows -> rows.forEach(row -> row.approvedAt = now));
    }

    /**
     * Approved calls taken up before {@code takenBefore} and still held: their resumption stopped with the gateway
     * that ran it. Each is marked again, so replicas sweeping together take each one once.
     */
    public Uni<List<HeldInvocation>> stranded(Instant takenBefore, Instant now) {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                                "select invocation_id from held_invocation where approved_at < :before"
                                        + " order by approved_at limit 100 for update skip locked", String.class)
                                .setParameter("before", takenBefore)
                                .getResultList())
                .chain(ids -> ids.isEmpty() ? Uni.createFrom().item(List.<HeldInvocation>of())
                        : HeldInvocation.<HeldInvocation>list("invocationId in ?1", ids))
                .invoke(rows -> rows.forEach(row -> row.approvedAt = now)));
    }

    /**
     * Stores a resumed call as accepted in place of its pending row, taking it out of the held set in the same
     * transaction; fails with {@link AlreadyResumed} when another resumption did so first.
     */
    Uni<Invocation> replace(Invocation accepted) {
        return Panache.withTransaction(() -> HeldInvocation.delete("invocationId", accepted.id)
                .chain(deleted -> deleted == 0 ? Uni.createFrom().failure(new AlreadyResumed())
                        : Invocation.deleteById(accepted.id).chain(() -> accepted.persist()))
                .replaceWith(accepted));
    }

    /** Takes a call out of the held set whose invocation no longer waits (a resumption recorded its outcome). */
    Uni<Void> release(HeldInvocation row) {
        return Panache.withTransaction(() -> HeldInvocation.delete("invocationId", row.invocationId)).replaceWithVoid();
    }

    /** Another resumption of the same held call stored it first: this one stops without calling the agent. */
    static final class AlreadyResumed extends RuntimeException {
        AlreadyResumed() {
            super("the held invocation was resumed already", null, false, false);
        }
    }

    /**
     * Ends a held call that is not executed ({@code rejected}, {@code expired}, or {@code failure} when its agent could
     * not be called after all): the invocation row, its event from the held one, and the post to its callback URL,
     * in one transaction (the caller's when there is one). The caller wakes the deliveries after the commit.
     */
    public Uni<Void> end(HeldInvocation row, Ending ending) {
        return Panache.withTransaction(() -> Invocation.<Invocation>findById(row.invocationId).chain(invocation -> {
            Uni<Long> out = HeldInvocation.delete("invocationId", row.invocationId);
            if (invocation == null || !Invocation.PENDING_APPROVAL.equals(invocation.status)) {
                return out.replaceWithVoid();
            }
            return out.chain(() -> close(row, invocation, ending, Instant.now()));
        }));
    }

    /**
     * Ends a pending invocation that is not executed, in the caller's transaction: its row, its event from the held
     * one, and the post to its callback URL. The held row is the caller's to remove (if it was ever stored).
     */
    private Uni<Void> close(HeldInvocation row, Invocation invocation, Ending ending, Instant now) {
        invocation.status = ending.status();
        invocation.errorCode = ending.errorCode();
        invocation.errorMessage = Invocation.errorMessage(ending.message());
        invocation.costUsd = BigDecimal.ZERO;
        invocation.completedAt = now;
        invocation.durationMs = Duration.between(invocation.createdAt, now).toMillis();
        InvocationEvent event = ended(read(row.heldEvent, InvocationEvent.class), invocation, ending.approvalStatus());
        InvokeRequest request = request(row);
        OutboundRequest callback = ResultCallback.of(mapper, request.callbackUrl(), row.approvalRequestId)
                .apply(invocation, null);
        return outbox.add(Topics.INVOCATIONS, type(ending.status()), invocation.id, invocation.organizationId,
                        callback == null ? event : InvocationRecorder.deliveryPending(event))
                .chain(() -> callback == null ? Uni.createFrom().voidItem()
                        : deliveries.enqueue(new Deliveries.NewDelivery(invocation.organizationId, invocation.id,
                                Deliveries.CALLBACK, null, callback)).replaceWithVoid());
    }

    /** Has the dispatcher send the callbacks just committed. */
    public void wakeDeliveries() {
        deliveries.wake();
    }

    InvokeRequest request(HeldInvocation row) {
        return read(row.request, InvokeRequest.class);
    }

    CallerContext caller(HeldInvocation row) {
        return read(row.caller, CallerContext.class);
    }

    private static String type(String status) {
        return switch (status) {
            case Invocation.REJECTED -> EventTypes.INVOCATION_REJECTED;
            case Invocation.EXPIRED -> EventTypes.INVOCATION_EXPIRED;
            default -> EventTypes.INVOCATION_FAILED;
        };
    }

    private static InvocationEvent ended(InvocationEvent held, Invocation invocation, String approvalStatus) {
        InvocationEvent.Governance g = held.governance();
        return new InvocationEvent(held.invocationId(), held.organizationId(), invocation.status, held.externalUser(),
                held.externalSystem(), held.kaizenAuth(), held.agent(), held.trace(), held.request(),
                new InvocationEvent.Governance(g.decision(), g.decisionId(), g.reason(), g.reservationId(),
                        g.approvalId(), approvalStatus, g.matchedPolicyId(), g.budgetRemainingBefore(),
                        g.budgetRemainingAfter(), g.rateLimitRemaining(), g.matchedPolicies(), g.policyVersions()),
                new InvocationEvent.Result(invocation.completedAt, invocation.durationMs, BigDecimal.ZERO, null,
                        invocation.errorCode, invocation.errorMessage));
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("held invocation is not serialisable", e);
        }
    }

    private <T> T read(String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("held invocation column is not readable as " + type.getSimpleName(), e);
        }
    }
}
