package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Service;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The 429 path: ten invocations released together against a limit of three per hour (an hour, so that no window
 * rolls over while a slow machine is still delivering the calls).
 */
class RateLimitIT {

    private final Suite suite = Suite.get();

    @Test
    void exactlyTheLimitSucceedsAndTheRestAre429() throws Exception {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(token, "Limited Bot");
        given().baseUri(suite.serviceUrl(Service.GOVERNANCE))
                .header("X-Kaizen-Service-Token", suite.stack.serviceToken())
                .contentType(ContentType.JSON)
                .body("{\"organization_id\": \"" + org + "\", \"requests_per_minute\": 1000, \"requests_per_hour\": 3}")
                .when().put("/internal/v1/agents/" + agentId + "/governance")
                .then().statusCode(200);

        int callers = 10;
        CyclicBarrier barrier = new CyclicBarrier(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(pool.submit(() -> {
                barrier.await();
                return suite.invoking(token).body("{\"input\": \"ping\"}")
                        .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                        .then().extract().response();
            }));
        }
        List<Response> responses = new ArrayList<>();
        for (Future<Response> call : calls) {
            responses.add(call.get());
        }
        pool.shutdown();

        List<Response> ok = responses.stream().filter(r -> r.statusCode() == 200).toList();
        List<Response> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(ok).hasSize(3);
        assertThat(limited).hasSize(7);
        for (Response r : limited) {
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.<String>path("error_code")).isEqualTo("RATE_LIMIT_EXCEEDED");
            assertThat(r.<String>path("detail")).isEqualTo("Rate limit exceeded: 3 requests per hour");
            assertThat(r.<Integer>path("limit")).isEqualTo(3);
            assertThat(r.<Integer>path("remaining")).isZero();
            assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 3600);
            assertThat(r.header("X-RateLimit-Limit")).isEqualTo("3");
            assertThat(r.header("X-RateLimit-Remaining")).isEqualTo("0");
            assertThat(r.header("X-RateLimit-Reset")).isNotBlank();
        }
        assertThat(ok.stream().map(r -> r.header("X-RateLimit-Remaining")))
                .containsExactlyInAnyOrder("2", "1", "0");
    }
}
