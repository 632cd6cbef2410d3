package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * What the gateway checks before governance is asked to reserve anything. Registry and governance are not running
 * in this JVM: {@link InternalApiStandIn} answers for both and records what the gateway asks them.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvokeChargeTest {

    private final String org = "org_" + UUID.randomUUID();

    @BeforeEach
    void forgetEarlierRequests() {
        InternalApiStandIn.shared().clearRequests();
    }

    private RequestSpecification invoking() {
        String token = DevStackTestResource.stack().keys().token(org, List.of("developer"), "alice", null,
                Duration.ofMinutes(5));
        return given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-External-User-ID", "ext-1")
                .header("X-External-User-Email", "ext-1@example.com")
                .header("X-External-System", "tests")
                .header("X-External-Session-ID", "session-1");
    }

    @Test
    void aMalformedEstimatedCostIsA400BeforeAnythingIsAskedOrReserved() {
        String invoke = "/api/v1/external-agents/" + PrefixedId.next(PrefixedId.AGENT) + "/invoke";
        for (String estimate : List.of("1e400", "-1e400", "-0.01", "\"0.05\"", "\"NaN\"", "1000000.5", "true",
                "[1]", "{\"usd\": 1}")) {
            byte[] body = ("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": " + estimate + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            invoking().body(body).when().post(invoke)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("field", equalTo("metadata.estimated_cost"))
                    .body("request_id", notNullValue());
        }
        for (String literal : List.of("NaN", "Infinity", "-Infinity")) {
            invoking().body(("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": " + literal + "}}")
                    .getBytes(StandardCharsets.UTF_8)).when().post(invoke)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"));
        }
        assertThat(InternalApiStandIn.shared().requests()).as("neither registry nor governance was asked").isEmpty();
    }

    @Test
    void anAgentWithoutAdapterIsRefusedBeforeGovernanceIsAsked() {
        String agent = InternalApiStandIn.shared().agent(org, "slack", "https://hooks.slack.com/services/T0/B0/x");

        invoking().body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + agent + "/invoke")
                .then().statusCode(409).contentType("application/problem+json")
                .body("error_code", equalTo("CONFLICT"));

        assertThat(InternalApiStandIn.shared().requests()).as("governance was never asked")
                .containsExactly("GET /internal/v1/agents/" + agent);
    }
}
