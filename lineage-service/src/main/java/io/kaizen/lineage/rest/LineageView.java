package io.kaizen.lineage.rest;

import java.math.BigDecimal;
import java.time.Instant;

import io.kaizen.lineage.domain.LineageRecord;

/** A lineage row as returned by the API: flat field names of the original contract. */
public record LineageView(
        String id,
        String invocationId,
        String organizationId,
        String status,
        String externalUserId,
        String externalUserEmail,
        String externalUserName,
        String externalSystem,
        String externalSessionId,
        String externalTraceId,
        String externalContext,
        String authMethod,
        String authSubject,
        String apiKeyId,
        String apiKeyPrefix,
        String teamId,
        String externalAgentId,
        String externalAgentName,
        String externalAgentPlatform,
        String externalAgentEndpoint,
        String traceId,
        String spanId,
        String parentTraceId,
        String ipAddress,
        String userAgent,
        Instant requestTimestamp,
        Instant responseTimestamp,
        Long durationMs,
        BigDecimal costUsd,
        Integer responseStatusCode,
        String errorCode,
        String errorMessage,
        String decision,
        String decisionId,
        String governanceReason,
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
