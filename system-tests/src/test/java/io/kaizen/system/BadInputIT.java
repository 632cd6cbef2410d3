package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.kaizen.devstack.RawHttp;
import io.kaizen.devstack.Service;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

/** Malformed requests, through the router and on each service's own port, get a precise 4xx problem, never a 500. */
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
        suite.invoking(token).body("{\"input\": \"x\", \"context\": \"not an object\"}").when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("context"));
        suite.invoking(token).body("{\"input\": 42}").when().post(invoke)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("input"));
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

    /** Through the router, a target or header block over the services' limits is their problem document. */
    @Test
    void anOversizedTargetOrHeaderBlockIsAProblem() {
        String token = suite.token(Suite.newOrg(), "org_owner");

        suite.as(token).when().get("/api/v1/lineage/inv_" + "x".repeat(5_000))
                .then().statusCode(414).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR")).body("detail", containsString("at most 4096"));
        suite.as(token).header("X-Padding", "h".repeat(21 * 1024)).when().get("/api/v1/lineage")
                .then().statusCode(431).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR")).body("detail", containsString("at most 20480"));
    }

    /** Each service's own port: a NUL in a path segment or a line break in a query never reaches a resource. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyServiceAndTarget")
    void aControlCharacterInAPathOrQueryIsRefusedByEveryService(Service service, String target) {
        String token = suite.token(Suite.newOrg(), "org_owner");
        RawHttp.Answer answer = RawHttp.get(URI.create(suite.serviceUrl(service)).getPort(), target,
                Map.of("Authorization", "Bearer " + token, "X-Kaizen-Service-Token", suite.stack.serviceToken()));

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(new JsonObject(answer.body()).getString("detail")).contains("control character");
    }

    static Stream<Arguments> everyServiceAndTarget() {
        // the lineage read and the reservation release answered 500 before: PostgreSQL refuses a NUL in text
        Map<Service, List<String>> targets = Map.of(
                Service.REGISTRY, List.of("/api/v1/external-agents/agt_%00", "/api/v1/external-agents?tag=a%0Ab"),
                Service.GOVERNANCE, List.of("/internal/v1/reservations/a%00b/release", "/api/v1/policies?agent_id=%1F"),
                Service.LINEAGE, List.of("/api/v1/lineage/%00", "/api/v1/audit?subject=x%00"),
                Service.APPROVAL, List.of("/api/v1/approvals/apr_%7f", "/api/v1/approvals?status=%0D"),
                Service.GATEWAY, List.of("/api/v1/invocations/inv_%00", "/api/v1/deliveries?status=%09"));
        return targets.entrySet().stream()
                .flatMap(entry -> entry.getValue().stream().map(target -> Arguments.of(entry.getKey(), target)));
    }

    @Test
    void internalPathsAreNotRoutedPublicly() {
        given().baseUri(suite.baseUrl()).header("X-Kaizen-Service-Token", suite.stack.serviceToken())
                .when().get("/internal/v1/agents/agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF")
                .then().statusCode(404).contentType("application/problem+json");
    }
}
