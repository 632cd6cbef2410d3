package io.kaizen.lineage.rest;

import java.math.BigDecimal;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.lineage.domain.LineageRecord;

/**
 * A lineage row as returned by the API and exports: flat field names of the original contract, the five layers, the
 * request context, the governance outcome and the result. {@code external_context} and {@code request_headers} are
 * JSON texts, as in the original contract.
 */
public record LineageView(
        String id,
        String invocationId,
        String organizationId,
        @Schema(description = "pending, held, success, failure, timeout, blocked, rejected, expired, …") String status,
        @Schema(nullable = true) String externalUserId,
        @Schema(nullable = true) String externalUserEmail,
        @Schema(nullable = true) String externalUserName,
        @Schema(nullable = true) String externalUserRole,
        @Schema(nullable = true) String externalSystem,
        @Schema(nullable = true) String externalSessionId,
        @Schema(nullable = true) String externalTraceId,
        @Schema(nullable = true) String externalContext,
        @Schema(nullable = true, enumeration = {"jwt", "api_key"}) String authMethod,
        @Schema(nullable = true) String authSubject,
        @Schema(nullable = true) String apiKeyId,
        @Schema(nullable = true) String apiKeyPrefix,
        @Schema(nullable = true) String teamId,
        String externalAgentId,
        @Schema(nullable = true) String externalAgentName,
        @Schema(nullable = true) String externalAgentPlatform,
        @Schema(nullable = true) String externalAgentEndpoint,
        @Schema(nullable = true) String externalAgentVersion,
        @Schema(nullable = true) String traceId,
        @Schema(nullable = true) String spanId,
        @Schema(nullable = true) String parentTraceId,
        @Schema(nullable = true) String ipAddress,
        @Schema(nullable = true) String userAgent,
        @Schema(nullable = true, description = "JSON object of the request headers, credentials removed") String requestHeaders,
        Instant requestTimestamp,
        @Schema(nullable = true) Instant responseTimestamp,
        @Schema(nullable = true) Long durationMs,
        @Schema(nullable = true) BigDecimal costUsd,
        @Schema(nullable = true) Long inputTokens,
        @Schema(nullable = true) Long outputTokens,
        @Schema(nullable = true) Integer responseStatusCode,
        @Schema(nullable = true) String errorCode,
        @Schema(nullable = true) String errorMessage,
        @Schema(nullable = true) String decision,
        @Schema(nullable = true) String decisionId,
        @Schema(nullable = true) String governanceReason,
        @Schema(nullable = true) String matchedPolicyId,
        @Schema(nullable = true) BigDecimal budgetRemainingBefore,
        @Schema(nullable = true) BigDecimal budgetRemainingAfter,
        @Schema(nullable = true) Long rateLimitRemaining,
        @Schema(nullable = true) String approvalId,
        @Schema(nullable = true, description = "pending, approved, rejected, expired (or escalated while pending)") String approvalStatus,
        @Schema(nullable = true, description = "JSON array of the ids of the approvers who decided (approved or rejected)") String approvalDeciders,
        @Schema(nullable = true, description = "how the answer's delivery to the callback_url stands: pending, delivered, failed, exhausted") String deliveryStatus,
        Instant createdAt,
        @Schema(nullable = true) Instant updatedAt) {

    static LineageView of(LineageRecord r) {
        return new LineageView(r.invocationId, r.invocationId, r.organizationId, r.status, r.externalUserId,
                r.externalUserEmail, r.externalUserName, r.externalUserRole, r.externalSystem, r.externalSessionId,
                r.externalTraceId, r.externalContext, r.authMethod, r.authSubject, r.apiKeyId, r.apiKeyPrefix, r.teamId,
                r.externalAgentId, r.externalAgentName, r.externalAgentPlatform, r.externalAgentEndpoint,
                r.externalAgentVersion, r.traceId, r.spanId, r.parentTraceId, r.ipAddress, r.userAgent,
                r.requestHeaders, r.requestTimestamp, r.responseTimestamp, r.durationMs, r.costUsd, r.inputTokens,
                r.outputTokens, r.responseStatusCode, r.errorCode, r.errorMessage, r.decision, r.decisionId,
                r.governanceReason, r.matchedPolicyId, r.budgetRemainingBefore, r.budgetRemainingAfter,
                r.rateLimitRemaining, r.approvalId, r.approvalStatus, r.approvalDeciders, r.deliveryStatus, r.createdAt, r.updatedAt);
    }
}
