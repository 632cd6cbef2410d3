package io.kaizen.gateway.rest;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

/** The answer to an invoke: the agent's reply, or (mode=async, 202) the accepted invocation without output. */
public record InvokeResponse(String invocationId, String traceId,
        @Schema(enumeration = {"success", "accepted"}) String status, @Schema(nullable = true) JsonNode output,
        @Schema(nullable = true) Metadata metadata) {

    /** {@code tokensUsed} is the input and output tokens the agent reported, null when it reported none. */
    public record Metadata(long durationMs, @Schema(nullable = true) BigDecimal costUsd, boolean webhookDelivered,
            @Schema(nullable = true) Long tokensUsed) {
    }
}
