package io.kaizen.gateway.rest;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;

public record InvokeResponse(String invocationId, String traceId,
        @Schema(enumeration = {"success", "failure", "timeout", "blocked"}) String status, JsonNode output,
        Metadata metadata) {

    /** {@code tokensUsed} is the input and output tokens the agent reported, null when it reported none. */
    public record Metadata(long durationMs, @Schema(nullable = true) BigDecimal costUsd, boolean webhookDelivered,
            @Schema(nullable = true) Long tokensUsed) {
    }
}
