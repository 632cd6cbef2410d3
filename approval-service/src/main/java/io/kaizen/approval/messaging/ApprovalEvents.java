package io.kaizen.approval.messaging;

import java.util.ArrayList;
import java.util.List;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Records {@code approval.*} events in the outbox, in the transaction of the transition they describe; keyed by the
 * request id, so a request's events keep their order.
 */
@ApplicationScoped
public class ApprovalEvents {

    private final Outbox outbox;

    ApprovalEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Events of one transition, in order; {@code decision} is the decision just recorded, or null. */
    public Uni<Void> record(ApprovalState state, ApprovalDecision decision, String... types) {
        ApprovalEvent data = data(state, decision);
        List<Outbox.Entry> entries = new ArrayList<>();
        for (String type : types) {
            entries.add(new Outbox.Entry(Topics.APPROVALS, type, state.request().id, state.request().organizationId,
                    data));
        }
        return outbox.addAll(entries).replaceWithVoid();
    }

    static ApprovalEvent data(ApprovalState state, ApprovalDecision decision) {
        var request = state.request();
        return new ApprovalEvent(request.id, request.organizationId, request.agentId, state.invocationIds(),
                request.status, request.requestedBy, request.externalUserId, request.reasons, request.estimatedCost,
                request.requiredApprovals, request.approvalCount,
                decision == null ? null : decision.decision, decision == null ? null : decision.approverId,
                decision == null ? null : decision.reason,
                state.of(ApprovalDecision.APPROVE).stream().map(d -> d.approverId).toList(),
                state.of(ApprovalDecision.REJECT).stream().map(d -> d.approverId).toList(),
                request.createdAt, request.expiresAt, request.decidedAt, request.escalatedAt, request.remindersSent);
    }
}
