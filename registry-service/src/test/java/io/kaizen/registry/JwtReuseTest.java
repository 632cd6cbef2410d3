package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevKeys;
import io.kaizen.devstack.DevStackTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A caller's JWT is verified in full once and then reused (common's VerifiedJwtIdentityProvider), over HTTP as the
 * callers send it; a token that fails verification fails every time.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class JwtReuseTest {

    private static final String AGENTS = "/api/v1/external-agents";

    @Inject
    MeterRegistry registry;

    @Test
    void aTokenSentAgainIsVerifiedOnce() {
        String token = token();
        double before = verifications();

        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(token).when().get(AGENTS).then().statusCode(200).body("total", equalTo(0));
        }

        assertThat(verifications() - before).isEqualTo(1.0);
    }

    @Test
    void aForgedTokenIsRefusedEveryTime() {
        String token = token();
        int signature = token.lastIndexOf('.') + 1;
        String forged = token.substring(0, signature) + (token.charAt(signature) == 'A' ? 'B' : 'A')
                + token.substring(signature + 1);
        given().auth().oauth2(token).when().get(AGENTS).then().statusCode(200);
        double before = verifications();

        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(forged).when().get(AGENTS).then().statusCode(401)
                    .contentType("application/problem+json").body("error_code", equalTo("UNAUTHORIZED"));
        }

        assertThat(verifications() - before).isEqualTo(3.0);
    }

    private static String token() {
        return DevStackTestResource.stack().keys().token("org_" + UUID.randomUUID(), List.of("viewer"), "jwt-reuse",
                null, Duration.ofMinutes(5), DevKeys.AUDIENCE);
    }

    private double verifications() {
        return registry.get("kaizen.security.jwt.verifications").counter().count();
    }
}
