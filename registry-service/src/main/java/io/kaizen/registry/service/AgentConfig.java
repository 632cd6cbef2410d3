package io.kaizen.registry.service;

import java.util.Map;

import io.kaizen.common.security.Redacted;
import io.kaizen.registry.domain.AuthType;

/**
 * A validated agent configuration, split into what may be shown ({@code publicPlatformConfig}, secrets replaced
 * by {@code "***"}) and what is only ever stored encrypted ({@code platformSecrets}, {@code credentials}).
 */
public record AgentConfig(
        String endpointUrl,
        Map<String, Object> publicPlatformConfig,
        Map<String, Object> platformSecrets,
        AuthType authType,
        Map<String, Object> credentials) {

    public static final String MASK = "***";

    @Override
    public String toString() {
        return Redacted.toString(this, "platformSecrets", "credentials");
    }
}
