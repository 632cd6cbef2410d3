package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.common.egress.EgressGuard;
import io.kaizen.gateway.TokenEndpoint;
import io.kaizen.gateway.config.OAuthConfig;
import io.vertx.mutiny.core.Vertx;

/**
 * OAuth client-credentials tokens against a real token endpoint, without the rest of the gateway: what is asked,
 * how long a token is kept (on a clock the test moves), one request for many callers, and failures.
 */
class OAuthTokensTest {

    private static final String CLIENT_SECRET = "cl1ent-s3cret&=+ü";
    private static final Duration MARGIN = Duration.ofSeconds(30);
    private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

    private static Vertx vertx;
    private static OutboundHttp http;

    private TokenEndpoint endpoint;
    private final AtomicLong nanos = new AtomicLong();
    private OAuthTokens tokens;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        http = new OutboundHttp(vertx, new EgressGuard(true, false, List.of()));
    }

    @AfterAll
    static void stopVertx() {
        http.close();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void start() {
        endpoint = new TokenEndpoint();
        tokens = new OAuthTokens(http, config(), nanos::get);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void theClientAuthenticatesWithHttpBasicAndAsksForItsScopeAndAudience() throws Exception {
        Map<String, Object> credentials = credentials(endpoint.url());
        credentials.put("client_id", "client id:1");
        credentials.put("scope", "agents.invoke agents.read");
        credentials.put("audience", "https://agent.example/api");

        assertThat(token(agent("agt_basic", credentials))).isEqualTo("token-1");

        TokenEndpoint.Request request = endpoint.requests().get(0);
        assertThat(request.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(request.header("Accept")).isEqualTo("application/json");
        // RFC 6749 §2.3.1: id and secret are form-encoded, then joined by a colon and base64-encoded
        assertThat(request.header("Authorization")).startsWith("Basic ");
        assertThat(new String(Base64.getDecoder().decode(request.header("Authorization").substring(6)), StandardCharsets.UTF_8))
                .isEqualTo("client+id%3A1:cl1ent-s3cret%26%3D%2B%C3%BC");
        assertThat(request.form()).containsExactly(Map.entry("grant_type", "client_credentials"),
                Map.entry("scope", "agents.invoke agents.read"), Map.entry("audience", "https://agent.example/api"));
        assertThat(request.body()).doesNotContain("cl1ent-s3cret").doesNotContain("client_secret");
    }

    @Test
    void manyCallersWaitingForATokenShareOneRequest() throws Exception {
        AgentDefinition agent = agent("agt_shared", credentials(endpoint.url()));
        endpoint.hold();
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(tokens.accessToken(agent).subscribeAsCompletionStage());
        }
        assertThat(endpoint.awaitArrival()).isTrue();
        // every caller asked while the first request was still unanswered
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        endpoint.release();

        for (CompletableFuture<String> token : waiting) {
            assertThat(token.get(60, TimeUnit.SECONDS)).isEqualTo("token-1");
        }
        assertThat(endpoint.requests()).hasSize(1);
    }

    @Test
    void aTokenIsKeptUntilItsExpiresInLessTheMargin() throws Exception {
        endpoint.expiresIn(3600);
        AgentDefinition agent = agent("agt_kept", credentials(endpoint.url()));

        assertThat(token(agent)).isEqualTo("token-1");
        advance(Duration.ofSeconds(3600).minus(MARGIN).minusSeconds(1));
        assertThat(token(agent)).isEqualTo("token-1");
        assertThat(endpoint.requests()).hasSize(1);

        advance(Duration.ofSeconds(2));
        assertThat(token(agent)).isEqualTo("token-2");
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void aTokenWithoutExpiresInIsKeptForTheDefaultLifetime() throws Exception {
        endpoint.expiresIn(null);
        AgentDefinition agent = agent("agt_default", credentials(endpoint.url()));

        assertThat(token(agent)).isEqualTo("token-1");
        advance(DEFAULT_LIFETIME.minus(MARGIN).minusSeconds(1));
        assertThat(token(agent)).isEqualTo("token-1");

        advance(Duration.ofSeconds(2));
        assertThat(token(agent)).isEqualTo("token-2");
    }

    @Test
    void aTokenThatExpiresWithinTheMarginIsNeverReused() throws Exception {
        endpoint.expiresIn(10);
        AgentDefinition agent = agent("agt_short", credentials(endpoint.url()));

        assertThat(token(agent)).isEqualTo("token-1");
        assertThat(token(agent)).isEqualTo("token-2");
    }

    @Test
    void changedCredentialsNeverUseTheTokenOfTheOldOnes() throws Exception {
        Map<String, Object> credentials = credentials(endpoint.url());
        assertThat(token(agent("agt_rotated", credentials))).isEqualTo("token-1");

        credentials.put("client_secret", "a-new-secret-after-rotation");
        assertThat(token(agent("agt_rotated", credentials))).isEqualTo("token-2");
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void aForgottenTokenIsRequestedAgain() throws Exception {
        AgentDefinition agent = agent("agt_forgotten", credentials(endpoint.url()));
        assertThat(token(agent)).isEqualTo("token-1");

        tokens.forget(agent);

        assertThat(token(agent)).isEqualTo("token-2");
    }

    @Test
    void aRefusedTokenRequestFailsWithItsErrorCodeAndNoSecretAndIsNotKept() throws Exception {
        AgentDefinition agent = agent("agt_refused", credentials(endpoint.url()));
        endpoint.fail(401, "{\"error\":\"invalid_client\",\"error_description\":\"secret " + CLIENT_SECRET + " is wrong\"}");

        assertThatThrownBy(() -> token(agent)).cause().isInstanceOf(UpstreamException.class)
                .hasMessage("OAuth token request failed: the token endpoint answered HTTP 401 (invalid_client)")
                .satisfies(e -> assertThat(((UpstreamException) e).statusCode()).isNull());

        endpoint.fail(0, null);
        assertThat(token(agent)).as("the failure was not kept").isEqualTo("token-1");
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void anAnswerWithoutAnAccessTokenFails() {
        AgentDefinition agent = agent("agt_empty", credentials(endpoint.url()));
        endpoint.fail(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600}");

        assertThatThrownBy(() -> token(agent)).cause().isInstanceOf(UpstreamException.class)
                .hasMessage("OAuth token request failed: the token endpoint's answer has no access_token");
    }

    @Test
    void anUnreachableTokenEndpointFailsWithoutSecrets() {
        AgentDefinition agent = agent("agt_unreachable", credentials(endpoint.url()));
        endpoint.close();

        assertThatThrownBy(() -> token(agent)).cause().isInstanceOf(UpstreamException.class)
                .hasMessageStartingWith("OAuth token request failed: OAuth token endpoint unreachable")
                .message().doesNotContain(CLIENT_SECRET).doesNotContain("client_id");
    }

    @Test
    void aLoopbackTokenUrlIsRefusedByTheEgressGuardBeforeAnythingIsSent() {
        OutboundHttp guarded = new OutboundHttp(vertx, new EgressGuard(false, false, List.of()));
        try {
            OAuthTokens refusing = new OAuthTokens(guarded, config(), nanos::get);
            AgentDefinition agent = agent("agt_loopback", credentials(endpoint.url()));

            assertThatThrownBy(() -> refusing.accessToken(agent).await().atMost(Duration.ofSeconds(60)))
                    .isInstanceOf(UpstreamException.class)
                    .hasMessage("OAuth token request failed: destination refused by egress guard: "
                            + "loopback addresses are not allowed");
            assertThat(endpoint.requests()).isEmpty();
        } finally {
            guarded.close();
        }
    }

    @Test
    void missingCredentialsFailNamingTheFieldOnly() {
        Map<String, Object> credentials = credentials(endpoint.url());
        credentials.remove("client_id");

        assertThatThrownBy(() -> tokens.accessToken(agent("agt_incomplete", credentials)).await().indefinitely())
                .isInstanceOf(UpstreamException.class)
                .hasMessage("the agent's auth_config.credentials.client_id is missing for auth_type oauth2")
                .message().doesNotContain(CLIENT_SECRET);
    }

    private String token(AgentDefinition agent) throws InterruptedException, ExecutionException {
        try {
            return tokens.accessToken(agent).subscribeAsCompletionStage().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no token within a minute", e);
        }
    }

    private void advance(Duration by) {
        nanos.addAndGet(by.toNanos());
    }

    private static Map<String, Object> credentials(String tokenUrl) {
        Map<String, Object> credentials = new LinkedHashMap<>();
        credentials.put("client_id", "gateway-client");
        credentials.put("client_secret", CLIENT_SECRET);
        credentials.put("token_url", tokenUrl);
        return credentials;
    }

    static AgentDefinition agent(String id, Map<String, Object> credentials) {
        return new AgentDefinition(id, "org_test", "OAuth agent", "custom_http", "https://agent.example/invoke",
                Map.of(), "oauth2", Map.copyOf(credentials), List.of(), "production", 30, "active", Instant.now());
    }

    private static OAuthConfig config() {
        return new FixedConfig(MARGIN, DEFAULT_LIFETIME, Duration.ofSeconds(30), 100);
    }

    private record FixedConfig(Duration expiryMargin, Duration defaultLifetime, Duration requestTimeout, long maxTokens)
            implements OAuthConfig {
    }
}
