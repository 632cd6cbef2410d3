package io.kaizen.gateway.adapter;

import java.util.Map;

import io.kaizen.common.agents.AgentDefinition;

/**
 * Everything an adapter needs to deliver one invocation.
 *
 * @param traceId the invocation's trace
 * @param spanId  the gateway's span of the invoke request; the call is sent in a child span ({@link AgentSender})
 */
public record AgentCall(AgentDefinition agent, String invocationId, String traceId, String spanId, String organizationId,
        Object input, Map<String, Object> context, Map<String, Object> metadata) {
}
