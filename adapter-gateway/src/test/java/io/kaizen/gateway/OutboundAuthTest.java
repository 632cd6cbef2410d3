package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.Sink;
import io.kaizen.devstack.Sink.SinkRequest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;

/**
 * Each outbound auth type as the agent receives it, through the governed invoke: a real sink records the exact
 * headers, Standard Webhooks signatures are recomputed here independently, and OAuth tokens come from a real token
 * endpoint that counts its requests. No secret ever reaches an error.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class OutboundAuthTest {

    private static final String CLIENT_SECRET = "0auth-cl1ent-s3cret";
    private static final String WHSEC_KEY = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String WHSEC = "whsec_" + WHSEC_KEY;

    private static final Map<String, String> SECRET_BY_AUTH_TYPE = Map.of("api_key", "sk-agent-key-1234",
            "bearer_token", "agent-bearer-token", "basic", "pa55word", "hmac", WHSEC_KEY);

    private static Vertx vertx;
    private static Sink sink;
    private static TokenEndpoint tokenEndpoint;

    private final Invoker caller = new Invoker();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        sink = new Sink(vertx, 0);
        sink.start();
    }

    @AfterAll
    static void stop() {
        tokenEndpoint.close();
        sink.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void reset() {
        sink.reset();
        if (tokenEndpoint != null) {
            tokenEndpoint.close();
        }
        tokenEndpoint = new TokenEndpoint();
    }

    @Test
    void noAuthSendsNoCredentials() {
        SinkRequest received = invoke("none", Map.of());

        assertThat(received.headers()).doesNotContainKeys("authorization", "x-api-key", "webhook-id",
                "webhook-timestamp", "webhook-signature");
    }

    @Test
    void anApiKeyGoesInXApiKeyByDefault() {
        SinkRequest received = invoke("api_key", Map.of("api_key", "sk-agent-key-1234"));

        assertThat(received.header("X-API-Key")).isEqualTo("sk-agent-key-1234");
        assertThat(received.headers()).doesNotContainKey("authorization");
    }

    @Test
    void anApiKeyGoesInTheHeaderTheAgentNamed() {
        SinkRequest received = invoke("api_key", Map.of("api_key", "sk-agent-key-1234", "header_name", "X-Agent-Key"));

        assertThat(received.header("X-Agent-Key")).isEqualTo("sk-agent-key-1234");
        assertThat(received.headers()).doesNotContainKey("x-api-key");
    }

    @Test
    void aBearerTokenGoesInAuthorization() {
        SinkRequest received = invoke("bearer_token", Map.of("token", "agent-bearer-token"));

        assertThat(received.header("Authorization")).isEqualTo("Bearer agent-bearer-token");
    }

    @Test
    void basicCredentialsAreTheirUtf8BytesInBase64() {
        SinkRequest received = invoke("basic", Map.of("username", "jürgen", "password", "pässwörd:with colon"));

        assertThat(received.header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("jürgen:pässwörd:with colon".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void customHeadersAreSentButNeverReplaceTheGatewaysOwn() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("X-Tenant", "acme");
        headers.put("Authorization", "Token custom-scheme-value");
        headers.put("Accept", "application/vnd.agent+json");
        headers.put("traceparent", "00-00000000000000000000000000000001-0000000000000001-01");
        headers.put("X-Kaizen-Invocation-ID", "inv_forged");
        headers.put("Content-Type", "text/plain");
        String agentId = caller.agent(sink.url() + "/custom", "custom", Map.of("headers", headers));

        String invocationId = caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).extract().path("invocation_id");

        SinkRequest received = only("/custom");
        assertThat(received.header("X-Tenant")).isEqualTo("acme");
        assertThat(received.header("Authorization")).isEqualTo("Token custom-scheme-value");
        assertThat(received.header("Accept")).isEqualTo("application/vnd.agent+json");
        assertThat(received.header("X-Kaizen-Invocation-ID")).isEqualTo(invocationId);
        assertThat(received.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                .isNotEqualTo("00-00000000000000000000000000000001-0000000000000001-01");
        assertThat(received.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void anHmacAgentReceivesAStandardWebhooksSignatureItCanVerify() throws Exception {
        String agentId = caller.agent(sink.url() + "/signed", "hmac", Map.of("secret_key", WHSEC));

        String invocationId = caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).extract().path("invocation_id");

        SinkRequest received = only("/signed");
        String id = received.header("webhook-id");
        String timestamp = received.header("webhook-timestamp");
        assertThat(id).isEqualTo(invocationId);
        assertThat(Math.abs(Long.parseLong(timestamp) - Instant.now().getEpochSecond()))
                .as("the timestamp is now, within the 5 minutes receivers tolerate").isLessThan(300);
        byte[] key = Base64.getDecoder().decode(WHSEC_KEY);
        assertThat(received.header("webhook-signature")).isEqualTo(standardSignature(key, id, timestamp, received.body()));

        // a receiver's check fails for any other body or timestamp: a replay with a new timestamp is detectable
        assertThat(received.header("webhook-signature"))
                .isNotEqualTo(standardSignature(key, id, timestamp, received.body().replace("hello", "hellO")))
                .isNotEqualTo(standardSignature(key, id, Long.toString(Long.parseLong(timestamp) + 1), received.body()))
                .isNotEqualTo(standardSignature(key, "inv_other", timestamp, received.body()));
        assertThat(received.headers()).doesNotContainKey("x-signature");
    }

    @Test
    void anHmacSecretWithoutThePrefixIsUsedAsItsUtf8BytesAndTheLegacyHeaderIsAddedWhenNamed() throws Exception {
        String secret = "plain-signing-secret-ü-42";
        String agentId = caller.agent(sink.url() + "/legacy", "hmac",
                Map.of("secret_key", secret, "algorithm", "sha512", "header_name", "X-Signature"));

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId).then().statusCode(200);

        SinkRequest received = only("/legacy");
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        assertThat(received.header("webhook-signature")).isEqualTo(standardSignature(key,
                received.header("webhook-id"), received.header("webhook-timestamp"), received.body()));
        assertThat(received.header("X-Signature")).hasSize(128).isEqualTo(HexFormat.of().formatHex(
                hmac("HmacSHA512", key, received.body().getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void anOAuthTokenIsRequestedOnceAndSentAsBearerOnEveryCall() {
        String agentId = caller.agent(sink.url() + "/oauth", "oauth2", oauth(tokenEndpoint.url()));

        for (int i = 0; i < 3; i++) {
            caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId).then().statusCode(200);
        }

        assertThat(sink.awaitRequests(3, Duration.ofSeconds(60))).filteredOn(r -> r.path().equals("/oauth"))
                .extracting(r -> r.header("Authorization")).containsExactly("Bearer token-1", "Bearer token-1", "Bearer token-1");
        assertThat(tokenEndpoint.requests()).hasSize(1);
        assertThat(tokenEndpoint.requests().get(0).form()).containsEntry("grant_type", "client_credentials");
    }

    @Test
    void concurrentInvokesOfAnAgentWithoutATokenShareOneTokenRequest() throws Exception {
        int invokes = 8;
        String agentId = caller.agent(sink.url() + "/oauth-concurrent", "oauth2", oauth(tokenEndpoint.url()));
        tokenEndpoint.hold();
        ExecutorService pool = Executors.newFixedThreadPool(invokes);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < invokes; i++) {
                statuses.add(pool.submit(() -> caller.invoking().when()
                        .post("/api/v1/external-agents/{id}/invoke", agentId).then().extract().statusCode()));
            }
            assertThat(tokenEndpoint.awaitArrival()).isTrue();
            tokenEndpoint.release();
            for (Future<Integer> status : statuses) {
                assertThat(status.get(90, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(tokenEndpoint.requests()).hasSize(1);
        assertThat(sink.requests()).filteredOn(r -> r.path().equals("/oauth-concurrent")).hasSize(invokes)
                .allSatisfy(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer token-1"));
    }

    @Test
    void aTokenTheAgentRefusesIsRenewedOnceAndTheCallSucceeds() {
        String agentId = caller.agent(sink.url() + "/revoked", "oauth2", oauth(tokenEndpoint.url()));
        sink.respond(401, 0, "{\"error\":\"invalid_token\"}", 1);

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).body("output.result", equalTo("ok"));

        assertThat(sink.requests()).extracting(r -> r.header("Authorization"))
                .containsExactly("Bearer token-1", "Bearer token-2");
        assertThat(tokenEndpoint.requests()).hasSize(2);
    }

    @Test
    void aSecond401IsNotRetriedAgain() {
        String agentId = caller.agent(sink.url() + "/refused", "oauth2", oauth(tokenEndpoint.url()));
        sink.respond(401, 0, "{\"error\":\"invalid_token\"}", -1);

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("upstream_status", equalTo(401));

        assertThat(sink.requests()).hasSize(2);
        assertThat(tokenEndpoint.requests()).hasSize(2);
    }

    @ParameterizedTest(name = "auth_type {0}")
    @ValueSource(strings = { "api_key", "bearer_token", "basic", "custom", "hmac" })
    void a401IsNotRetriedForCredentialsThatCannotBeRenewed(String authType) {
        Map<String, Object> credentials = switch (authType) {
            case "api_key" -> Map.of("api_key", "sk-agent-key-1234");
            case "bearer_token" -> Map.of("token", "agent-bearer-token");
            case "basic" -> Map.of("username", "jane", "password", "pa55word");
            case "custom" -> Map.of("headers", Map.of("X-Tenant", "acme"));
            default -> Map.of("secret_key", WHSEC);
        };
        String agentId = caller.agent(sink.url() + "/static-401", authType, credentials);
        sink.respond(401, 0, "{\"error\":\"unauthorized\"}", -1);

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).body("upstream_status", equalTo(401));

        assertThat(sink.requests()).hasSize(1);
    }

    @Test
    void aFailingTokenEndpointIsA502ThatNamesNoSecretAndReachesNoAgent() {
        tokenEndpoint.fail(400, "{\"error\":\"invalid_client\",\"error_description\":\"bad secret " + CLIENT_SECRET + "\"}");
        String agentId = caller.agent(sink.url() + "/never", "oauth2", oauth(tokenEndpoint.url()));

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("detail", equalTo("External agent call failed: OAuth token request failed: the token endpoint "
                        + "answered HTTP 400 (invalid_client)"))
                .body(not(containsString(CLIENT_SECRET)));

        assertThat(sink.requests()).isEmpty();
    }

    @Test
    void anApiKeyHeaderNamingAGatewayHeaderFailsTheCallWithoutSendingIt() {
        String agentId = caller.agent(sink.url() + "/clash", "api_key",
                Map.of("api_key", "sk-agent-key-1234", "header_name", "X-Kaizen-Invocation-ID"));

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("detail", equalTo("External agent call failed: the agent's api_key header_name "
                        + "X-Kaizen-Invocation-ID is a header the gateway sets itself"));

        assertThat(sink.requests()).isEmpty();
    }

    @Test
    void aWhsecSecretThatIsNotBase64FailsTheCallSayingSo() {
        String agentId = caller.agent(sink.url() + "/bad-secret", "hmac", Map.of("secret_key", "whsec_not*base64*at*all"));

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("detail", equalTo("External agent call failed: the agent's hmac secret_key starts with whsec_ "
                        + "but the rest is not base64"));

        assertThat(sink.requests()).isEmpty();
    }

    @Test
    void noCredentialReachesTheLogsWhenCallsFail() {
        List<String> logged;
        try (CapturedLogs capture = CapturedLogs.open()) {
            tokenEndpoint.fail(401, "{\"error\":\"invalid_client\",\"client_secret\":\"" + CLIENT_SECRET + "\"}");
            caller.invoking().when().post("/api/v1/external-agents/{id}/invoke",
                    caller.agent(sink.url() + "/oauth-failing", "oauth2", oauth(tokenEndpoint.url())))
                    .then().statusCode(502);
            sink.respond(401, 0, "{\"error\":\"unauthorized\"}", -1);
            Map<String, Map<String, Object>> refused = Map.of(
                    "api_key", Map.of("api_key", "sk-agent-key-1234"),
                    "bearer_token", Map.of("token", "agent-bearer-token"),
                    "basic", Map.of("username", "jane", "password", "pa55word"),
                    "hmac", Map.of("secret_key", WHSEC));
            refused.forEach((authType, credentials) -> caller.invoking().when()
                    .post("/api/v1/external-agents/{id}/invoke", caller.agent(sink.url() + "/refusing", authType, credentials))
                    .then().statusCode(502).body(not(containsString(SECRET_BY_AUTH_TYPE.get(authType)))));
            logged = capture.lines();
        }

        assertThat(logged).as("the capture works").isNotEmpty();
        assertThat(logged).noneMatch(line -> line.contains(CLIENT_SECRET)
                || SECRET_BY_AUTH_TYPE.values().stream().anyMatch(line::contains));
    }

    private SinkRequest invoke(String authType, Map<String, Object> credentials) {
        String path = "/" + authType;
        String agentId = caller.agent(sink.url() + path, authType, credentials);
        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId).then().statusCode(200);
        return only(path);
    }

    private static SinkRequest only(String path) {
        assertThat(sink.awaitRequests(1, Duration.ofSeconds(60))).hasSize(1);
        SinkRequest received = sink.requests().get(0);
        assertThat(received.path()).isEqualTo(path);
        return received;
    }

    private static Map<String, Object> oauth(String tokenUrl) {
        return Map.of("client_id", "gateway-client", "client_secret", CLIENT_SECRET, "token_url", tokenUrl,
                "scope", "agents.invoke");
    }

    /** The Standard Webhooks v1 signature, computed as a receiver would, from the raw body. */
    private static String standardSignature(byte[] key, String id, String timestamp, String body) throws Exception {
        return "v1," + Base64.getEncoder().encodeToString(
                hmac("HmacSHA256", key, (id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] content) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(content);
    }
}
