package io.kaizen.governance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class DecisionResourceTest {

    private static RequestSpecification internal() {
        return given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .contentType(ContentType.JSON);
    }

    private static void limit(String agent, String org, int perMinute) {
        internal().body("""
                {"organization_id": "%s", "requests_per_minute": %d, "requests_per_hour": 1000, "requests_per_day": 5000}
                """.formatted(org, perMinute))
                .when().put("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(200).body("requests_per_minute", equalTo(perMinute));
    }

    private static String decisionBody(String agent, String org) {
        return """
                {"invocation_id": "%s", "organization_id": "%s", "agent_id": "%s", "user_id": "u1", "roles": ["developer"]}
                """.formatted(PrefixedId.next(PrefixedId.INVOCATION), org, agent);
    }

    @Test
    void exactlyTheLimitIsAllowedWhenRequestsArriveTogether() throws Exception {
        String agent = PrefixedId.next(PrefixedId.AGENT);
        String org = "org_" + UUID.randomUUID();
        limit(agent, org, 3);
        limit(agent, org, 3);

        int callers = 10;
        CyclicBarrier barrier = new CyclicBarrier(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            outcomes.add(pool.submit(() -> {
                barrier.await();
                return internal().body(decisionBody(agent, org)).when().post("/internal/v1/decisions")
                        .then().statusCode(200).extract().<String>path("outcome");
            }));
        }
        List<String> results = new ArrayList<>();
        for (Future<String> outcome : outcomes) {
            results.add(outcome.get());
        }
        pool.shutdown();
        assertThat(results.stream().filter("ALLOW"::equals)).hasSize(3);
        assertThat(results.stream().filter("DENY_RATE"::equals)).hasSize(7);

        internal().body(decisionBody(agent, org)).when().post("/internal/v1/decisions")
                .then().statusCode(200)
                .body("outcome", equalTo("DENY_RATE"))
                .body("reason", equalTo("Rate limit exceeded: 3 requests per minute"))
                .body("rate_limit.window", equalTo("minute"))
                .body("rate_limit.limit", equalTo(3))
                .body("rate_limit.remaining", equalTo(0))
                .body("rate_limit.retry_after_seconds", notNullValue());
    }

    @Test
    void allowedDecisionsReportRemainingAndCost() {
        String agent = PrefixedId.next(PrefixedId.AGENT);
        String org = "org_" + UUID.randomUUID();
        limit(agent, org, 5);
        internal().body(decisionBody(agent, org)).when().post("/internal/v1/decisions")
                .then().statusCode(200)
                .body("outcome", equalTo("ALLOW"))
                .body("decision_id", startsWith("dec_"))
                .body("estimated_cost", equalTo(0.05f))
                .body("rate_limit.limit", equalTo(5))
                .body("rate_limit.remaining", equalTo(4))
                .body("rate_limit_fail_open", equalTo(false));
    }

    @Test
    void agentsWithoutSettingsGetTheDefaults() {
        internal().body(decisionBody(PrefixedId.next(PrefixedId.AGENT), "org_" + UUID.randomUUID()))
                .when().post("/internal/v1/decisions")
                .then().statusCode(200).body("outcome", equalTo("ALLOW"))
                .body("rate_limit.limit", equalTo(10)).body("rate_limit.remaining", equalTo(9));
    }

    @Test
    void rateLimitsFailOpenWhileRedisIsDown() {
        String agent = PrefixedId.next(PrefixedId.AGENT);
        String org = "org_" + UUID.randomUUID();
        limit(agent, org, 1);
        DevStackTestResource.stack().stopRedis();
        try {
            for (int i = 0; i < 3; i++) {
                internal().body(decisionBody(agent, org)).when().post("/internal/v1/decisions")
                        .then().statusCode(200)
                        .body("outcome", equalTo("ALLOW"))
                        .body("rate_limit", nullValue())
                        .body("rate_limit_fail_open", equalTo(true));
            }
        } finally {
            DevStackTestResource.stack().startRedis();
        }
    }

    @Test
    void internalApiRefusesCallersWithoutTheServiceToken() {
        given().contentType(ContentType.JSON).body(decisionBody(PrefixedId.next(PrefixedId.AGENT), "org_x"))
                .when().post("/internal/v1/decisions")
                .then().statusCode(401).contentType("application/problem+json").body("error_code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void settingsAreValidated() {
        internal().body("{\"organization_id\": \"org_x\", \"requests_per_minute\": -1}")
                .when().put("/internal/v1/agents/" + PrefixedId.next(PrefixedId.AGENT) + "/governance")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("requests_per_minute must not be negative"));
        internal().body("{\"requests_per_minute\": 5}")
                .when().put("/internal/v1/agents/" + PrefixedId.next(PrefixedId.AGENT) + "/governance")
                .then().statusCode(400).body("error_code", equalTo("VALIDATION_ERROR"));
    }
}
