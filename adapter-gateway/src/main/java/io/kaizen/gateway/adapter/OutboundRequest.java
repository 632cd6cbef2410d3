package io.kaizen.gateway.adapter;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One POST an adapter wants sent: where, with which headers and body. Adapters build it; {@link AgentSender} adds
 * the trace headers and the agent's outbound auth, and sends it through the egress guard.
 */
public record OutboundRequest(String url, Map<String, String> headers, byte[] body) {

    public OutboundRequest {
        headers = Map.copyOf(headers);
    }

    /** A JSON request. */
    public static OutboundRequest json(String url, byte[] body) {
        return new OutboundRequest(url, Map.of("Content-Type", "application/json", "Accept", "application/json"), body);
    }

    /** The same request with one more header (replacing one of the same name). */
    public OutboundRequest withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        more.put(name, value);
        return new OutboundRequest(url, more, body);
    }


    /** URLs of webhook platforms carry their secret: never print them. */
    @Override
    public String toString() {
        return "OutboundRequest[" + headers.size() + " headers, " + body.length + " bytes]";
    }
}
