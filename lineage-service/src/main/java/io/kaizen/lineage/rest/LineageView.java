package io.kaizen.lineage.rest;

import java.math.BigDecimal;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.lineage.domain.LineageRecord;

/** A lineage row as returned by the API: flat field names of the original contract. */
public record LineageView(
        String id,
        String invocationId,
        String organizationId,
        String status,
        @Schema(nullable = true) String externalUserId,
        @Schema(nullable = true) String externalUserEmail,
        @Schema(nullable = true) String externalUserName,
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
        @Schema(nullable = true) String traceId,
        @Schema(nullable = true) String spanId,
        @Schema(nullable = true) String parentTraceId,
        @Schema(nullable = true) String ipAddress,
        @Schema(nullable = true) String userAgent,
        @Schema(nullable = true) Instant requestTimestamp,
        @Schema(nullable = true) Instant responseTimestamp,
        @Schema(nullable = true) Long durationMs,
        @Schema(nullable = true) BigDecimal costUsd,
        @Schema(nullable = true) Integer responseStatusCode,
        @Schema(nullable = true) String errorCode,
        @Schema(nullable = true) String errorMessage,
        @Schema(nullable = true) String decision,
        @Schema(nullable = true) String decisionId,
        @Schema(nullable = true) String governanceReason,
        Instant createdAt) {

    static LineageView of(LineageRecord r) {
        return new LineageView(r.invocationId, r.invocationId, r.organizationId, r.status, r.externalUserId,
                r.externalUserEmail, r.externalUserName, r.externalSystem, r.externalSessionId, r.externalTraceId,
                r.externalContext, r.authMethod, r.authSubject, r.apiKeyId, r.apiKeyPrefix, r.teamId,
                r.externalAgentId, r.externalAgentName, r.externalAgentPlatform, r.externalAgentEndpoint, r.traceId,
                r.spanId, r.parentTraceId, r.ipAddress, r.userAgent, r.requestTimestamp, r.responseTimestamp,
                r.durationMs, r.costUsd, r.responseStatusCode, r.errorCode, r.errorMessage, r.decision, r.decisionId,
                r.governanceReason, r.createdAt);
    }
}
