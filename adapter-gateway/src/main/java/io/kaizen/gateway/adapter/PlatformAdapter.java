package io.kaizen.gateway.adapter;

import io.kaizen.common.agents.AgentDefinition;

/**
 * One platform: a formatter that turns an invocation or a message into the platform's native request, and a reader
 * of the platform's answer. Sending, outbound auth, trace headers and the egress guard are shared
 * ({@link AgentSender}); adding a platform is one implementation of this interface and its tests.
 */
public interface PlatformAdapter {

    /** The platform key of registry ({@code custom_http}, {@code slack}, …). */
    String platform();

    /** The request that delivers an invocation: by default its input as a message in the platform's native form. */
    default OutboundRequest format(AgentCall call) {
        return render(call.agent(), PlatformMessage.ofInput(call));
    }

    /**
     * A message in the platform's native form, within the platform's documented limits for any text (invocation
     * inputs and result notifications go through here).
     */
    OutboundRequest render(AgentDefinition agent, PlatformMessage message);

    /**
     * The agent's reply from a 2xx answer of the platform; an answer that reports a failure despite its status (a
     * Telegram {@code "ok": false}) throws {@link UpstreamException}.
     */
    AgentReply read(OutboundHttp.Reply reply);
}
