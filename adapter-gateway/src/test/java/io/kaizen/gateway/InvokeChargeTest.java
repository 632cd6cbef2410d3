package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the gateway checks before governance is asked to reserve anything. Registry and governance are not running
 * in this JVM: {@link InternalApiStandIn} answers for both and records what the gateway asks them.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvokeChargeTest {

    private final Invoker caller = new Invoker();

    @BeforeEach
    void forgetEarlierRequests() {
        InternalApiStandIn.shared().clearRequests();
    }

    @Test
    void aMalformedEstimatedCostIsA400BeforeAnythingIsAskedOrReserved() {
        String invoke = "/api/v1/external-agents/" + PrefixedId.next(PrefixedId.AGENT) + "/invoke";
        for (String estimate : List.of("1e400", "-1e400", "-0.01", "\"0.05\"", "\"NaN\"", "1000000.5", "true",
                "[1]", "{\"usd\": 1}")) {
            byte[] body = ("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": " + estimate + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            caller.invoking().body(body).when().post(invoke)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("field", equalTo("metadata.estimated_cost"))
                    .body("request_id", notNullValue());
        }
        for (String literal : List.of("NaN", "Infinity", "-Infinity")) {
            caller.invoking().body(("{\"input\": \"x\", \"metadata\": {\"estimated_cost\": " + literal + "}}")
                    .getBytes(StandardCharsets.UTF_8)).when().post(invoke)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"));
        }
        assertThat(InternalApiStandIn.shared().requests()).as("neither registry nor governance was asked").isEmpty();
    }

    @Test
    void anAgentWithoutAdapterIsRefusedBeforeGovernanceIsAsked() {
        // a platform a newer registry knows and this gateway has no adapter for
        String agent = InternalApiStandIn.shared().agent(caller.organizationId, "mattermost", "https://chat.example.com/hooks/x");

        caller.invoking().body("{\"input\": \"x\"}").when().post("/api/v1/external-agents/" + agent + "/invoke")
                .then().statusCode(409).contentType("application/problem+json")
                .body("error_code", equalTo("CONFLICT"));

        assertThat(InternalApiStandIn.shared().requests()).as("governance was never asked")
                .containsExactly("GET /internal/v1/agents/" + agent);
    }
}
