package io.kaizen.registry.rest;

import java.util.Map;

import io.kaizen.common.security.Redacted;
import io.kaizen.registry.domain.AuthType;

/** {@code auth_config}: how the gateway authenticates to the agent. A PATCH may omit auth_type to keep it. */
public record AuthConfigRequest(AuthType authType, Map<String, Object> credentials) {

    @Override
    public String toString() {
        return Redacted.toString(this, "credentials");
    }
}
