package io.kaizen.gateway.adapter;

import java.util.Map;

import io.kaizen.common.agents.AgentDefinition;

/** Everything an adapter needs to deliver one invocation. */
public record AgentCall(AgentDefinition agent, String invocationId, String traceId, String spanId, String organizationId,
        Object input, Map<String, Object> context, Map<String, Object> metadata) {

    /** W3C trace context header value for the outbound request. */
    public String traceparent() {
        return "00-" + traceId + "-" + spanId + "-01";
    }
}
