package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.kaizen.devstack.RawHttp;
import io.kaizen.devstack.Service;
import io.vertx.core.json.JsonObject;

/**
 * Each service's own port, reached without the ingress: no spelling of an {@code /internal} path gets past the
 * service token, because a path that routing would normalise is refused before anything reads it.
 */
class EncodedInternalPathIT {

    /** Spellings that normalise to {@code /internal/v1/agents/{id}}, or that a router could decode to it. */
    private static final String[] SPELLINGS = {
            "/./internal/v1/agents/{id}",
            "/%69nternal/v1/agents/{id}",
            "//internal/v1/agents/{id}",
            "/x/../internal/v1/agents/{id}",
            "/internal%2Fv1%2Fagents%2F{id}",
            "/internal%2fv1/agents/{id}",
            "/%2e/internal/v1/agents/{id}",
            "/internal/v1/%61gents/{id}",
    };

    /** One agent with credentials, registered by the first test that needs it. */
    private static String agentId;

    private final Suite suite = Suite.get();

    static Stream<Arguments> everyServiceAndSpelling() {
        return Arrays.stream(Service.values())
                .flatMap(service -> Arrays.stream(SPELLINGS).map(spelling -> Arguments.of(service, spelling)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyServiceAndSpelling")
    void aNonCanonicalPathIsRefusedWithoutReachingAnyResource(Service service, String spelling) {
        RawHttp.Answer answer = RawHttp.get(port(service), spelling.replace("{id}", agentWithCredentials()), Map.of());

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getString("error_code")).isEqualTo("VALIDATION_ERROR");
        assertThat(problem.getString("detail")).contains("path");
        assertThat(answer.body()).doesNotContain("s3cr3t-agent-key").doesNotContain("\"credentials\"");
    }

    @Test
    void theCanonicalInternalPathStillNeedsTheServiceToken() {
        String path = "/internal/v1/agents/" + agentWithCredentials();
        int registry = port(Service.REGISTRY);

        assertThat(RawHttp.get(registry, path, Map.of()).status()).isEqualTo(401);
        RawHttp.Answer withToken = RawHttp.get(registry, path,
                Map.of("X-Kaizen-Service-Token", suite.stack.serviceToken()));
        assertThat(withToken.status()).isEqualTo(200);
        assertThat(withToken.body()).contains("s3cr3t-agent-key");
    }

    @Test
    void anInternalPathWithMatrixParametersStillNeedsTheServiceToken() {
        RawHttp.Answer answer = RawHttp.get(port(Service.REGISTRY), "/internal;v=1/v1/agents/" + agentWithCredentials(),
                Map.of());

        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.body()).doesNotContain("s3cr3t-agent-key");
    }

    private String agentWithCredentials() {
        synchronized (EncodedInternalPathIT.class) {
            if (agentId == null) {
                String token = suite.token(Suite.newOrg(), "org_owner");
                agentId = suite.as(token).body("""
                        {"name": "Internal Path Bot", "platform": "custom_http", "endpoint_url": "%s/agents/internal-path",
                         "auth_config": {"auth_type": "api_key",
                                         "credentials": {"api_key": "s3cr3t-agent-key", "header_name": "X-Api-Key"}}}
                        """.formatted(suite.stack.sinkUrl()))
                        .when().post("/api/v1/external-agents")
                        .then().statusCode(201).extract().path("id");
            }
            return agentId;
        }
    }

    private int port(Service service) {
        return URI.create(suite.serviceUrl(service)).getPort();
    }
}
