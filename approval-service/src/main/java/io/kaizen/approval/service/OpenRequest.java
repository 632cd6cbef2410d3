package io.kaizen.approval.service;

import java.math.BigDecimal;

/**
 * What the gateway sends when it holds an invocation ({@code POST /internal/v1/approval-requests}): who invoked
 * ({@code requestedBy} the Kaizen subject, {@code requestedByOwner} the owner of its API key when it is one,
 * {@code externalUserId} the outside user), why it is held
 * ({@code triggerReason}), its estimated cost and its input, of which only a masked summary is kept.
 */
public record OpenRequest(String invocationId, String organizationId, String agentId, String requestedBy,
        String requestedByOwner, String requestedByTeam, String externalUserId, String triggerReason, BigDecimal estimatedCost,
        String payloadSummary) {
}
