package io.kaizen.approval.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalInvocation;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.domain.ApprovalWorkflow;
import io.kaizen.approval.domain.NotificationChannel;
import io.kaizen.approval.domain.WorkflowSettings;

/** Response bodies of approval-service. */
public final class ApprovalViews {

    private ApprovalViews() {
    }

    /** One decision of an approver. */
    public record DecisionEntry(String approverId, @Schema(nullable = true) String reason, Instant decidedAt) {
    }

    /** A request as its list shows it. */
    public record ApprovalSummary(String id, String externalAgentId, String organizationId, String requestedByUserId,
            @Schema(nullable = true) String requestedByTeamId, @Schema(nullable = true) String externalUserId,
            String triggerReason, @Schema(nullable = true) String payloadSummary,
            @Schema(nullable = true) BigDecimal estimatedCost,
            @Schema(enumeration = {"pending", "escalated", "approved", "rejected", "expired"}) String status,
            Instant createdAt, Instant expiresAt, @Schema(nullable = true) Instant decidedAt, int requiredApprovals,
            int approvalCount, int rejectionCount, @Schema(nullable = true) Instant escalateAt,
            @Schema(nullable = true) Instant escalatedAt, int remindersSent,
            @Schema(nullable = true) Instant nextReminderAt) {

        static ApprovalSummary of(ApprovalRequest r) {
            return new ApprovalSummary(r.id, r.agentId, r.organizationId, r.requestedBy, r.requestedByTeam,
                    r.externalUserId, r.reasons, r.payloadSummary, r.estimatedCost, r.status, r.createdAt,
                    r.expiresAt, r.decidedAt, r.requiredApprovals, r.approvalCount, r.rejectionCount, r.escalateAt,
                    r.escalatedAt, r.remindersSent, r.nextReminderAt);
        }
    }

    /** A held call a request decides, as the approvers are shown it: its own reasons, estimated cost and input. */
    public record InvocationEntry(String invocationId, @Schema(nullable = true) String triggerReason,
            @Schema(nullable = true) BigDecimal estimatedCost, @Schema(nullable = true) String payloadSummary,
            @Schema(nullable = true) Instant heldAt) {

        static InvocationEntry of(ApprovalInvocation i) {
            return new InvocationEntry(i.invocationId, i.triggerReason, i.estimatedCost, i.payloadSummary, i.heldAt);
        }
    }

    /**
     * A request as its list shows it ({@code request}, unwrapped into the same object), with the held invocations it
     * decides, who may decide it (escalation targets only once it escalated) and who decided.
     */
    public record ApprovalView(@JsonUnwrapped ApprovalSummary request, List<String> invocationIds,
            List<InvocationEntry> invocations, List<String> approverRoles, List<String> approverUsers,
            List<String> escalationRoles, List<String> escalationUsers, List<DecisionEntry> approvals,
            List<DecisionEntry> rejections) {

        static ApprovalView of(ApprovalState state) {
            ApprovalRequest r = state.request();
            return new ApprovalView(ApprovalSummary.of(r), state.invocationIds(),
                    state.invocations().stream().map(InvocationEntry::of).toList(), r.approverRoles, r.approverUsers,
                    r.escalationRoles, r.escalationUsers, entries(state, ApprovalDecision.APPROVE),
                    entries(state, ApprovalDecision.REJECT));
        }

        private static List<DecisionEntry> entries(ApprovalState state, String kind) {
            return state.of(kind).stream().map(d -> new DecisionEntry(d.approverId, d.reason, d.decidedAt)).toList();
        }
    }

    public record ApprovalPage(List<ApprovalSummary> items, long total, int page, int limit, boolean hasMore) {
    }

    /** The pending requests of one agent (original-spec §2.3.17 D1). */
    public record PendingApprovals(List<ApprovalSummary> pendingRequests, long totalCount) {
    }

    /**
     * The answer to a decision: the request's status after it ({@code pending} until enough approvers approved),
     * the decision recorded and by whom.
     */
    public record DecisionView(String requestId,
            @Schema(enumeration = {"pending", "escalated", "approved", "rejected"}) String status,
            @Schema(enumeration = {"approved", "rejected"}) String decision, String decidedBy,
            @Schema(nullable = true) String reason, int approvalCount, int requiredApprovals,
            @Schema(nullable = true) Instant decidedAt) {
    }

    /**
     * A workflow; {@code source} says where it comes from: the agent's own ({@code agent}), the organisation's
     * default ({@code organization}) or the built-in default ({@code default}).
     */
    public record WorkflowView(@Schema(nullable = true) String agentId,
            @Schema(enumeration = {"agent", "organization", "default"}) String source, List<String> approverRoles,
            List<String> approverUsers, int requiredApprovals, boolean allowSelfApproval, int timeoutHours,
            @Schema(enumeration = {"expire", "reject"}) String onTimeout,
            @Schema(nullable = true) Integer escalateAfterMinutes, List<String> escalationRoles,
            List<String> escalationUsers, int reminderIntervalMinutes, int maxReminders, List<String> autoApproveRoles,
            List<String> autoApproveUsers, List<NotificationChannel> notificationChannels,
            @Schema(nullable = true) Instant updatedAt,
            @Schema(nullable = true) String updatedBy) {

        static WorkflowView of(String agentId, String source, WorkflowSettings s, ApprovalWorkflow stored) {
            return new WorkflowView(agentId, source, s.approverRoles(), s.approverUsers(), s.requiredApprovals(),
                    s.allowSelfApproval(), s.timeoutHours(), s.onTimeout(), s.escalateAfterMinutes(),
                    s.escalationRoles(), s.escalationUsers(), s.reminderIntervalMinutes(), s.maxReminders(),
                    s.autoApproveRoles(), s.autoApproveUsers(), s.notificationChannels(), stored == null ? null : stored.updatedAt,
                    stored == null ? null : stored.updatedBy);
        }

        static WorkflowView of(ApprovalWorkflow stored) {
            boolean isDefault = stored.agentId.equals(ApprovalWorkflow.DEFAULT);
            return of(isDefault ? null : stored.agentId, isDefault ? "organization" : "agent", stored.settings(),
                    stored);
        }
    }

    public record WorkflowList(List<WorkflowView> items) {
    }
}
