package io.kaizen.gateway.service;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.gateway.adapter.OutboundRequest;
import io.kaizen.gateway.domain.Invocation;

/**
 * The post of a call's outcome to the caller's {@code callback_url}. It carries {@code webhook-id} (the invocation id,
 * the same on every retry) and {@code webhook-timestamp}, so a receiver can drop repeats; a call that was held for
 * approval names its approval request too.
 */
final class ResultCallback {

    private final ObjectMapper mapper;
    private final String url;
    private final String approvalRequestId;

    private ResultCallback(ObjectMapper mapper, String url, String approvalRequestId) {
        this.mapper = mapper;
        this.url = url;
        this.approvalRequestId = approvalRequestId;
    }

    static ResultCallback of(ObjectMapper mapper, String url, String approvalRequestId) {
        return new ResultCallback(mapper, url, approvalRequestId);
    }

    /** The post of this outcome, or null when the caller gave no callback URL. */
    OutboundRequest apply(Invocation invocation, JsonNode output) {
        if (url == null) {
            return null;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocation_id", invocation.id);
        body.put("external_agent_id", invocation.agentId);
        body.put("status", invocation.status);
        body.put("trace_id", invocation.traceId);
        body.put("output", output);
        body.put("error_code", invocation.errorCode);
        body.put("error_message", invocation.errorMessage);
        body.put("upstream_status", invocation.responseStatusCode);
        body.put("cost_usd", invocation.costUsd);
        body.put("duration_ms", invocation.durationMs);
        body.put("completed_at", invocation.completedAt.toString());
        if (approvalRequestId != null) {
            body.put("approval_request_id", approvalRequestId);
        }
        try {
            return OutboundRequest.json(url, mapper.writeValueAsBytes(body))
                    .withHeader("X-Kaizen-Invocation-ID", invocation.id)
                    .withHeader("webhook-id", invocation.id)
                    .withHeader("webhook-timestamp", String.valueOf(invocation.completedAt.getEpochSecond()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("callback is not serialisable", e);
        }
    }
}
