package io.kaizen.common.agents;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.kaizen.common.security.Redacted;

/**
 * An agent as the gateway needs it to call out (registry's {@code GET /internal/v1/agents/{id}}). It is the only
 * shape that carries decrypted credentials, and only over the internal API. Readers ignore fields they do not
 * know, so either side can be deployed first.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentDefinition(
        String id,
        String organizationId,
        String name,
        String platform,
        String endpointUrl,
        Map<String, Object> platformConfig,
        String authType,
        Map<String, Object> credentials,
        List<String> tags,
        String environment,
        int timeoutSeconds,
        String status,
        Instant createdAt,
        /** Where the gateway tells the outcome of each invocation (the agent's {@code notify} field); never null. */
        @JsonProperty("notify") List<Notify> notifyChannels) {

    public AgentDefinition {
        notifyChannels = notifyChannels == null ? List.of() : List.copyOf(notifyChannels);
    }

    /** An agent without {@code notify} channels. */
    public AgentDefinition(String id, String organizationId, String name, String platform, String endpointUrl,
            Map<String, Object> platformConfig, String authType, Map<String, Object> credentials, List<String> tags,
            String environment, int timeoutSeconds, String status, Instant createdAt) {
        this(id, organizationId, name, platform, endpointUrl, platformConfig, authType, credentials, tags, environment,
                timeoutSeconds, status, createdAt, List.of());
    }

    /**
     * A channel told of the agent's invocation outcomes: shaped as {@code NotificationEvent.Channel} ({@code email}
     * with {@code to}, {@code agent} with {@code agent_id}, {@code webhook} with {@code url}), plus {@code on}, the
     * outcomes told ({@link #COMPLETED}, {@link #FAILED}; both when absent).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Notify(@Schema(enumeration = { "email", "agent", "webhook" }) String type,
            @Schema(nullable = true, description = "email: the addresses") List<String> to,
            @Schema(nullable = true, description = "agent: the messaging agent told") String agentId,
            @Schema(nullable = true, description = "webhook: where the notification is posted") String url,
            @Schema(description = "completed and/or failed") List<String> on) {

        public static final String COMPLETED = "completed";
        public static final String FAILED = "failed";

        /** Whether this channel is told of an outcome ({@link #COMPLETED} or {@link #FAILED}). */
        public boolean tells(String outcome) {
            return on == null || on.isEmpty() || on.contains(outcome);
        }
    }

    /** Credentials and platform secrets (merged into {@code platformConfig}) never reach a log. */
    @Override
    public String toString() {
        return Redacted.toString(this, "credentials", "platformConfig");
    }
}
