package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevKeys;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** A JWT counts only when it was issued for this API: its audience must be the configured one. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class TokenAudienceTest {

    private static final String AGENTS = "/api/v1/external-agents";

    private static String token(String audience) {
        return DevStackTestResource.stack().keys().token("org_" + UUID.randomUUID(), List.of("viewer"), "aud-check",
                null, Duration.ofMinutes(5), audience);
    }

    @Test
    void aTokenForTheConfiguredAudienceIsAccepted() {
        given().auth().oauth2(token(DevKeys.AUDIENCE)).when().get(AGENTS)
                .then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void aTokenForAnotherAudienceIs401() {
        given().auth().oauth2(token("some-other-api")).when().get(AGENTS)
                .then().statusCode(401).contentType("application/problem+json")
                .body("error_code", equalTo("UNAUTHORIZED"));
    }

    @Test
    void aTokenWithoutAnAudienceIs401() {
        given().auth().oauth2(token(null)).when().get(AGENTS)
                .then().statusCode(401).contentType("application/problem+json")
                .body("error_code", equalTo("UNAUTHORIZED"));
    }
}
