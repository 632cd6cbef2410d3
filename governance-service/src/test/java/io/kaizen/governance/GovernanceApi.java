package io.kaizen.governance;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** Calls of the governance API shared by the service tests. */
final class GovernanceApi {

    private GovernanceApi() {
    }

    static String newOrg() {
        return "org_" + UUID.randomUUID();
    }

    static String newAgent() {
        return PrefixedId.next(PrefixedId.AGENT);
    }

    static RequestSpecification internal() {
        return given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .contentType(ContentType.JSON);
    }

    static RequestSpecification as(String org, String... roles) {
        String token = DevStackTestResource.stack().keys().token(org, List.of(roles), "user-" + org, "team-1",
                Duration.ofMinutes(15));
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    /** Registry's write of an agent's settings: a JSON object body without braces, e.g. {@code "requests_per_minute": 3}. */
    static void settings(String agent, String org, String fields) {
        internal().body("{\"organization_id\": \"" + org + "\"" + (fields.isBlank() ? "" : ", " + fields) + "}")
                .when().put("/internal/v1/agents/" + agent + "/governance")
                .then().statusCode(200);
    }

    /** A decision; {@code extra} adds JSON fields, e.g. {@code "estimated_cost": 1.5}. */
    static ValidatableResponse decide(String agent, String org, String extra) {
        return decide(PrefixedId.next(PrefixedId.INVOCATION), agent, org, extra);
    }

    /** A decision for a given invocation. */
    static ValidatableResponse decide(String invocation, String agent, String org, String extra) {
        return internal().body("{\"invocation_id\": \"" + invocation
                        + "\", \"organization_id\": \"" + org + "\", \"agent_id\": \"" + agent
                        + "\", \"user_id\": \"u1\", \"roles\": [\"developer\"]" + (extra.isBlank() ? "" : ", " + extra) + "}")
                .when().post("/internal/v1/decisions")
                .then().statusCode(200);
    }

    static String outcome(String agent, String org, String extra) {
        return decide(agent, org, extra).extract().path("outcome");
    }

    /** Runs {@code calls} copies of {@code call} released together by a barrier and returns their results. */
    static <T> List<T> together(int calls, Callable<T> call) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls);
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    return call.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }
}
