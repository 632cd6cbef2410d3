package io.kaizen.gateway.rest;

import java.math.BigDecimal;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.gateway.domain.Invocation;

/**
 * An invocation as {@code GET /api/v1/invocations/{id}} and the agent's invocation list show it. {@code output} is
 * kept for asynchronous invocations only: a synchronous caller already had it in its answer.
 */
public record InvocationView(
        String invocationId,
        String externalAgentId,
        @Schema(enumeration = {"accepted", "success", "failure", "timeout", "blocked", "pending_approval",
                "rejected", "expired"}) String status,
        @Schema(enumeration = {"sync", "async"}) String mode,
        String traceId,
        @Schema(nullable = true) String decision,
        @Schema(nullable = true) String externalUserId,
        @Schema(nullable = true) String externalUserEmail,
        @Schema(nullable = true) String externalSystem,
        @Schema(nullable = true) String errorCode,
        @Schema(nullable = true) String errorMessage,
        @Schema(nullable = true) Integer responseStatusCode,
        @Schema(nullable = true) BigDecimal costUsd,
        @Schema(nullable = true) Long durationMs,
        @Schema(nullable = true) Long inputTokens,
        @Schema(nullable = true) Long outputTokens,
        @Schema(nullable = true) JsonNode output,
        Instant createdAt,
        @Schema(nullable = true) Instant completedAt) {

    static InvocationView of(Invocation invocation, ObjectMapper mapper) {
        return new InvocationView(invocation.id, invocation.agentId, invocation.status, invocation.mode,
                invocation.traceId, invocation.decision, invocation.externalUserId,
                invocation.externalUserEmail, invocation.externalSystem, invocation.errorCode, invocation.errorMessage,
                invocation.responseStatusCode, invocation.costUsd, invocation.durationMs, invocation.inputTokens,
                invocation.outputTokens, output(invocation.output, mapper), invocation.createdAt,
                invocation.completedAt);
    }

    private static JsonNode output(String json, ObjectMapper mapper) {
        if (json == null) {
            return null;
        }
        try {
            return mapper.readTree(json);
        } catch (java.io.IOException e) {
            return mapper.getNodeFactory().textNode(json);
        }
    }
}
