package io.kaizen.approval.service;

import java.math.BigDecimal;
import java.util.List;

/**
 * What the gateway sends when it holds an invocation ({@code POST /internal/v1/approval-requests}): who invoked
 * ({@code requestedBy} the Kaizen subject, with its roles {@code requestedByRoles}; {@code requestedByOwner} the owner
 * of its API key when it is one; {@code externalUserId} the outside user), why it is held ({@code triggerReason}), its
 * estimated cost and its input, of which only a masked summary is kept. The roles say whether the workflow trusts the
 * requester (auto-approval); absent, none are held.
 */
public record OpenRequest(String invocationId, String organizationId, String agentId, String requestedBy,
        String requestedByOwner, String requestedByTeam, String externalUserId, String triggerReason,
        BigDecimal estimatedCost, String payloadSummary, List<String> requestedByRoles) {
}
