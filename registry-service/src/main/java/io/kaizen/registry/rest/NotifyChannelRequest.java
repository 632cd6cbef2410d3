package io.kaizen.registry.rest;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.ids.PrefixedId;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * One of an agent's {@code notify} channels, told when an invocation completes or fails: {@code email} with
 * {@code to}, {@code agent} with {@code agent_id} (a messaging agent of the organisation) or {@code webhook} with
 * {@code url}; {@code on} is {@code completed}, {@code failed} or both (the default).
 */
public record NotifyChannelRequest(
        @NotNull @Schema(enumeration = {"email", "agent", "webhook"}) String type,
        @Size(max = 50) List<@NotNull String> to,
        @Size(max = 64) @Schema(pattern = PrefixedId.AGENT_PATTERN) String agentId,
        @Schema(maxLength = 2048, pattern = EgressGuard.URL_PATTERN) String url,
        @Size(max = 2) List<@NotNull String> on) {
}
