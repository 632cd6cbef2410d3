package io.kaizen.gateway.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** OAuth 2.0 client-credentials tokens the gateway fetches for agents with {@code auth_type} oauth2. */
@ConfigMapping(prefix = "kaizen.gateway.oauth")
public interface OAuthConfig {

    /**
     * How long before its {@code expires_in} a token stops being used, so that no call goes out with a token that
     * expires on its way.
     */
    @WithDefault("30s")
    Duration expiryMargin();

    /** How long a token is used when the token endpoint gives no {@code expires_in} (before the margin). */
    @WithDefault("5m")
    Duration defaultLifetime();

    /** How long a token request may take before the call fails. */
    @WithDefault("10s")
    Duration requestTimeout();

    /** Most tokens held at once (one per agent and credentials); beyond that, those least used go first. */
    @WithDefault("10000")
    long maxTokens();
}
