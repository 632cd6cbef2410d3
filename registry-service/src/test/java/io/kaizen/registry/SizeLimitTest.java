package io.kaizen.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;

/**
 * A request target or header block over the suite's limits is answered with a problem document (common's
 * SizeLimitProblems), where Vert.x alone answers with a bare status; one within them is served. Sent byte for byte,
 * so the sizes are exactly those on the wire.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class SizeLimitTest {

    private static final String AGENTS = "/api/v1/external-agents";
    private static final int MAX_TARGET = 4096;
    private static final int MAX_HEADER_BLOCK = 20 * 1024;

    private final String bearer = "Bearer " + DevStackTestResource.stack().keys()
            .token("org_size_limits", List.of("viewer"), "user-size", null, Duration.ofMinutes(10));

    @Test
    void aTargetAtTheLimitIsServedAndOneCharacterMoreIsAProblem() {
        String query = "?name=";
        String atLimit = AGENTS + query + "n".repeat(MAX_TARGET - AGENTS.length() - query.length());
        assertThat(atLimit).hasSize(MAX_TARGET);

        assertThat(get(atLimit, Map.of()).status()).isEqualTo(200);
        RawHttp.Answer over = get(atLimit + "n", Map.of());
        assertProblem(over, 414, "4097 characters");
        assertThat(new JsonObject(over.body()).getString("instance")).isEqualTo(AGENTS);
    }

    @Test
    void aLongPathIsNotEchoedWhole() {
        String path = AGENTS + "/" + "a".repeat(MAX_TARGET);

        RawHttp.Answer answer = get(path, Map.of());

        assertProblem(answer, 414, "characters long");
        assertThat(new JsonObject(answer.body()).getString("instance")).isEqualTo(path.substring(0, 256));
    }

    @Test
    void headersWithinTheLimitAreServed() {
        // the filter refuses only past the suite's 20 KiB
        assertThat(get(AGENTS, Map.of("X-Padding", "h".repeat(16 * 1024))).status()).isEqualTo(200);
    }

    @Test
    void aHeaderBlockOverTheLimitIsAProblem() {
        RawHttp.Answer answer = get(AGENTS, Map.of("X-Padding", "h".repeat(MAX_HEADER_BLOCK)));

        assertProblem(answer, 431, "at most 20480");
    }

    @Test
    void beyondVertxsOwnLimitsTheStatusStaysAClientError() {
        // past 64 KiB the HTTP codec answers before any route: a bare status, still no server error
        assertThat(get(AGENTS + "?name=" + "n".repeat(70 * 1024), Map.of()).status()).isEqualTo(414);
        assertThat(get(AGENTS, Map.of("X-Padding", "h".repeat(70 * 1024))).status()).isEqualTo(431);
    }

    private RawHttp.Answer get(String target, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Authorization", bearer);
        return RawHttp.get(RestAssured.port, target, all);
    }

    private static void assertProblem(RawHttp.Answer answer, int status, String detail) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        JsonObject problem = new JsonObject(answer.body());
        assertThat(problem.getInteger("status")).isEqualTo(status);
        assertThat(problem.getString("error_code")).isEqualTo("VALIDATION_ERROR");
        assertThat(problem.getString("detail")).contains(detail);
        assertThat(problem.getString("request_id")).isNotBlank();
    }
}
