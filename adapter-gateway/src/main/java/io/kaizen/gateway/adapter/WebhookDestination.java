package io.kaizen.gateway.adapter;

import java.util.Map;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.problem.ProblemException;

/** Where a webhook platform (Slack, Discord, Teams) is reached: its {@code platform_config}, secrets merged in. */
final class WebhookDestination {

    private WebhookDestination() {
    }

    /** {@code platform_config.webhook_url}, which registry requires and stores encrypted; it is never printed. */
    static String url(AgentDefinition agent) {
        Object url = config(agent).get("webhook_url");
        if (!(url instanceof String text) || text.isBlank()) {
            throw ProblemException.conflict("Agent " + agent.id() + " has no platform_config.webhook_url");
        }
        return text;
    }

    /** A text setting of {@code platform_config}, or null when absent or blank. */
    static String setting(AgentDefinition agent, String name) {
        Object value = config(agent).get(name);
        return value instanceof String text && !text.isBlank() ? text : null;
    }

    /** A link a button may open: an absolute http(s) URL of at most {@code maxChars}, or null. */
    static String link(String link, int maxChars) {
        if (link == null || link.length() > maxChars) {
            return null;
        }
        try {
            java.net.URI uri = new java.net.URI(link);
            String scheme = uri.getScheme();
            return uri.getHost() != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))
                    ? link : null;
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static Map<String, Object> config(AgentDefinition agent) {
        return agent.platformConfig() == null ? Map.of() : agent.platformConfig();
    }
}
