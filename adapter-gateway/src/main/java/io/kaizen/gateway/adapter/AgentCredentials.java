package io.kaizen.gateway.adapter;

import io.kaizen.common.agents.AgentDefinition;

/**
 * Reads an agent's decrypted credentials. Registry validated them at registration; one that is missing anyway fails
 * the call with a message that names the field, never its value.
 */
final class AgentCredentials {

    private AgentCredentials() {
    }

    static String required(AgentDefinition agent, String field) {
        String value = optional(agent, field);
        if (value == null) {
            throw new UpstreamException("the agent's auth_config.credentials." + field + " is missing for auth_type "
                    + agent.authType(), false, null);
        }
        return value;
    }

    /** The field as text, or null when absent or blank. */
    static String optional(AgentDefinition agent, String field) {
        Object value = agent.credentials() == null ? null : agent.credentials().get(field);
        return value instanceof String text && !text.isBlank() ? text : null;
    }
}
