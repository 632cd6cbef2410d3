package io.kaizen.lineage.service;

import java.time.Instant;
import java.util.List;

import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.lineage.domain.LineageRecord;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class LineageService {

    /** Writes the lineage rows of invocations; runs inside the consumer's transaction, which writes them together. */
    public Uni<Void> record(List<InvocationEvent> events) {
        Instant now = Instant.now();
        return LineageRecord.persist(events.stream().map(event -> row(event, now)));
    }

    private static LineageRecord row(InvocationEvent event, Instant createdAt) {
        LineageRecord row = new LineageRecord();
        row.invocationId = event.invocationId();
        row.organizationId = event.organizationId();
        row.status = event.status();
        if (event.externalUser() != null) {
            row.externalUserId = event.externalUser().id();
            row.externalUserEmail = event.externalUser().email();
            row.externalUserName = event.externalUser().name();
        }
        if (event.externalSystem() != null) {
            row.externalSystem = event.externalSystem().system();
            row.externalSessionId = event.externalSystem().sessionId();
            row.externalTraceId = event.externalSystem().traceId();
            row.externalContext = event.externalSystem().context();
        }
        if (event.kaizenAuth() != null) {
            row.authMethod = event.kaizenAuth().method();
            row.authSubject = event.kaizenAuth().subject();
            row.apiKeyId = event.kaizenAuth().apiKeyId();
            row.apiKeyPrefix = event.kaizenAuth().apiKeyPrefix();
            row.teamId = event.kaizenAuth().teamId();
        }
        row.externalAgentId = event.agent().id();
        row.externalAgentName = event.agent().name();
        row.externalAgentPlatform = event.agent().platform();
        row.externalAgentEndpoint = event.agent().endpoint();
        if (event.trace() != null) {
            row.traceId = event.trace().traceId();
            row.spanId = event.trace().spanId();
            row.parentTraceId = event.trace().parentTraceId();
        }
        if (event.request() != null) {
            row.ipAddress = event.request().ipAddress();
            row.userAgent = event.request().userAgent();
            row.requestTimestamp = event.request().requestedAt();
        }
        if (event.governance() != null) {
            row.decision = event.governance().decision();
            row.decisionId = event.governance().decisionId();
            row.governanceReason = event.governance().reason();
        }
        if (event.result() != null) {
            row.responseTimestamp = event.result().completedAt();
            row.durationMs = event.result().durationMs();
            row.costUsd = event.result().costUsd();
            row.responseStatusCode = event.result().responseStatusCode();
            row.errorCode = event.result().errorCode();
            row.errorMessage = event.result().errorMessage();
        }
        row.createdAt = createdAt;
        return row;
    }

    @WithSession
    public Uni<LineageRecord> get(String invocationId, String organizationId) {
        return LineageRecord.<LineageRecord>find("invocationId = ?1 and organizationId = ?2", invocationId, organizationId)
                .firstResult()
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Lineage record " + invocationId + " not found"));
    }
}
