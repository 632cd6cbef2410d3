package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * The gateway's own port, sent paths byte for byte: a path routing would normalise, or a target holding a control
 * character, is refused before anything reads it.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class EncodedPathTest {

    private final Invoker caller = new Invoker();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "/./internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "/%69nternal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "//internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "/x/../internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "/internal%2Fv1%2Fagents%2Fagt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "/internal%2fv1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
            "/api/v1/%69nvocations",
            "/api/v1/invocations/../invocations",
    })
    void aNonCanonicalPathIsRefused(String path) {
        assertRefused(path, "canonical");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "/api/v1/invocations/inv_%00",
            "/api/v1/invocations/inv_%1b%5b2J",
            "/api/v1/invocations?status=completed%0d%0aX-Forged:%20yes",
            "/api/v1/external-agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF/invocations?start_date=%7F",
    })
    void aControlCharacterInThePathOrQueryIsRefused(String target) {
        assertRefused(target, "control character");
    }

    private void assertRefused(String target, String reason) {
        RawHttp.Answer answer = RawHttp.get(RestAssured.port, target, Map.of("Authorization", "Bearer " + caller.token()));

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getString("error_code")).isEqualTo("VALIDATION_ERROR");
        assertThat(problem.getString("detail")).contains(reason);
        assertThat(problem.getString("request_id")).isNotBlank();
    }

    @Test
    void anInternalPathNeedsTheServiceTokenEvenWhereNothingIsServed() {
        RawHttp.Answer answer = RawHttp.get(RestAssured.port, "/internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
                Map.of("Authorization", "Bearer " + caller.token()));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(new JsonObject(answer.body()).getString("error_code")).isEqualTo("UNAUTHORIZED");
    }
}
