package io.kaizen.gateway.adapter;

import io.smallrye.mutiny.Uni;

/** Formats and sends an invocation in one platform's native form; one implementation per platform key. */
public interface PlatformAdapter {

    /** The platform key of registry ({@code custom_http}, {@code slack}, …). */
    String platform();

    /** Sends the call; fails with {@link UpstreamException} when the agent cannot be reached or answers an error. */
    Uni<AgentReply> send(AgentCall call);
}
