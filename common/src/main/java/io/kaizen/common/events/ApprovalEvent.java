package io.kaizen.common.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Data of every {@code approval.*} event ({@code kaizen.approvals.v1}): the request as it stands after the transition.
 * {@code invocationIds} are the held invocations the request decides (the first, and those of the same user and agent
 * that joined it while it was pending); {@code decision} ({@code approve}, {@code reject}) with {@code decidedBy} and
 * {@code reason} is the decision just recorded, null for events that record none; {@code approvers} and
 * {@code rejecters} are everyone who decided so far. {@code escalatedAt} is when the request escalated (null before),
 * {@code remindersSent} how many reminders fell due so far.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalEvent(
        String approvalRequestId,
        String organizationId,
        String agentId,
        List<String> invocationIds,
        String status,
        String requestedByUserId,
        String externalUserId,
        String triggerReason,
        BigDecimal estimatedCost,
        int requiredApprovals,
        int approvalCount,
        String decision,
        String decidedBy,
        String reason,
        List<String> approvers,
        List<String> rejecters,
        Instant createdAt,
        Instant expiresAt,
        Instant decidedAt,
        Instant escalatedAt,
        int remindersSent) {
}
