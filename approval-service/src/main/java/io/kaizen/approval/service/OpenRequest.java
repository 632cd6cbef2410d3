package io.kaizen.approval.service;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.openapi.WireContract;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What the gateway sends when it holds an invocation ({@code POST /internal/v1/approval-requests}): who invoked
 * ({@code requestedBy} the Kaizen subject, with its roles {@code requestedByRoles}; {@code requestedByOwner} the owner
 * of its API key when it is one; {@code externalUserId} the outside user), why it is held ({@code triggerReason}), its
 * estimated cost and its input, of which only a masked summary is kept. The roles say whether the workflow trusts the
 * requester (auto-approval); absent, none are held.
 */
public record OpenRequest(
        @Schema(required = true, pattern = PrefixedId.INVOCATION_PATTERN) String invocationId,
        @Schema(required = true, maxLength = 255, pattern = WireContract.NOT_BLANK) String organizationId,
        @Schema(required = true, pattern = PrefixedId.AGENT_PATTERN) String agentId,
        @Schema(required = true, maxLength = 255, pattern = WireContract.NOT_BLANK) String requestedBy,
        @Schema(maxLength = 255) String requestedByOwner,
        @Schema(maxLength = 255) String requestedByTeam,
        @Schema(maxLength = 255) String externalUserId,
        @Schema(required = true, maxLength = 4000, pattern = WireContract.NOT_BLANK) String triggerReason,
        @Schema(minimum = "0", maximum = "1000000000000", exclusiveMaximum = true) BigDecimal estimatedCost,
        String payloadSummary,
        @Schema(maxItems = 50) List<@Size(max = 255) @Pattern(regexp = WireContract.NOT_BLANK) String>
                requestedByRoles) {
}
