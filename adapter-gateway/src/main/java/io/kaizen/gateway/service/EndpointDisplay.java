package io.kaizen.gateway.service;

import java.net.URI;

import io.kaizen.common.agents.AgentDefinition;

/**
 * How an agent's endpoint appears in events and lineage: scheme, host and port only, because webhook URLs of
 * messaging platforms carry their secret in the path or query.
 */
final class EndpointDisplay {

    private EndpointDisplay() {
    }

    static String of(AgentDefinition agent) {
        try {
            URI uri = URI.create(agent.endpointUrl());
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        } catch (IllegalArgumentException e) {
            return "unparseable";
        }
    }
}
