package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;

/** Malformed requests through the router get a precise 4xx problem, never a 500. */
class BadInputIT {

    private final Suite suite = Suite.get();

    @Test
    void malformedInvocationsAreRejectedWithProblems() {
        String token = suite.token(Suite.newOrg(), "org_owner");
        String agentId = suite.registerAgent(token, "Strict Bot");
        String invoke = "/api/v1/external-agents/" + agentId + "/invoke";

        suite.invoking(token).body("{\"input\": ".getBytes(StandardCharsets.UTF_8)).when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR")).body("request_id", notNullValue());
        suite.invoking(token).body("{\"input\": 42, \"context\": \"not an object\"}").when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("context"));
        suite.invoking(token).body("{\"input\": \"\"}").when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("input"));
        suite.invoking(token).body("{\"input\": \"x\", \"unexpected\": true}").when().post(invoke)
                .then().statusCode(400).body("detail", containsString("unexpected"));
        suite.invoking(token).contentType(ContentType.XML).body("<input>x</input>").when().post(invoke)
                .then().statusCode(415).contentType("application/problem+json");
        suite.as(token).body("{\"input\": \"x\"}").when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("X-External-User-ID"));
        suite.invoking(token).body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/agt_missing/invoke")
                .then().statusCode(404).contentType("application/problem+json");
        given().baseUri(suite.baseUrl()).contentType(ContentType.JSON).body("{\"input\": \"x\"}").when().post(invoke)
                .then().statusCode(401).contentType("application/problem+json");
        suite.invoking(suite.token(Suite.newOrg(), "viewer")).body("{\"input\": \"x\"}").when().post(invoke)
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void internalPathsAreNotRoutedPublicly() {
        given().baseUri(suite.baseUrl()).header("X-Kaizen-Service-Token", suite.stack.serviceToken())
                .when().get("/internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF")
                .then().statusCode(404).contentType("application/problem+json");
    }
}
