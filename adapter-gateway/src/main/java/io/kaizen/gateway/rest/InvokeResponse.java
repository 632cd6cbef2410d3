package io.kaizen.gateway.rest;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to an invoke: the agent's reply, or (202) the accepted invocation without output (mode=async), or the
 * invocation held for approval ({@code pending_approval}, with the {@code approval_request_id} that decides it).
 */
public record InvokeResponse(String invocationId, String traceId,
        @Schema(enumeration = {"success", "accepted", "pending_approval"}) String status,
        @Schema(nullable = true) JsonNode output,
        @Schema(nullable = true) Metadata metadata,
        @Schema(nullable = true, description = "The approval request of a held call (pending_approval); null otherwise")
        String approvalRequestId) {

    public InvokeResponse(String invocationId, String traceId, String status, JsonNode output, Metadata metadata) {
        this(invocationId, traceId, status, output, metadata, null);
    }

    /** {@code tokensUsed} is the input and output tokens the agent reported, null when it reported none. */
    public record Metadata(long durationMs, @Schema(nullable = true) BigDecimal costUsd, boolean webhookDelivered,
            @Schema(nullable = true) Long tokensUsed) {
    }
}
