package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.kaizen.common.events.Topics;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Headers and free text of an invoke are bounded at the edge to what lineage stores (docs/architecture.md): an
 * oversize identifier is a 400 before anything is called or recorded, an oversize User-Agent is cut and marked.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class EdgeLimitsTest {

    private static TestAgent agent;

    private final Invoker caller = new Invoker();

    @BeforeAll
    static void startAgent() {
        agent = new TestAgent();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @Test
    void aTwoThousandCharacterUserAgentIsCutToTheLineageColumnAndMarked() {
        String userAgent = "Mozilla/5.0 " + "x".repeat(1988);
        String agentId = caller.agent(agent.url("/long-user-agent"));

        String invocationId = caller.invoking(Map.of("User-Agent", userAgent))
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).extract().header("X-Kaizen-Invocation-ID");

        String recorded = userAgentOf(invocationId);
        assertThat(recorded).hasSize(1024).startsWith("Mozilla/5.0 xxxx").endsWith("...[truncated]");
        assertThat(recorded.substring(0, 1024 - 14)).isEqualTo(userAgent.substring(0, 1024 - 14));
    }

    @Test
    void aUserAgentOfExactlyTheLimitIsKeptWhole() {
        String userAgent = "Agent/1.0 " + "y".repeat(1014);
        String agentId = caller.agent(agent.url("/user-agent-at-limit"));

        String invocationId = caller.invoking(Map.of("User-Agent", userAgent))
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).extract().header("X-Kaizen-Invocation-ID");

        assertThat(userAgentOf(invocationId)).isEqualTo(userAgent);
    }

    @ParameterizedTest(name = "{0} of {1} characters")
    @CsvSource({
            "X-External-User-ID,    2000",
            "X-External-User-Email, 256",
            "X-External-User-Name,  256",
            "X-External-System,     256",
            "X-External-Session-ID, 256",
            "X-External-Trace-ID,   256",
            "X-External-Context,    4097",
            "X-Forwarded-For,       65",
            "X-Forwarded-For,       2000",
    })
    void anOversizeHeaderIsRefusedBeforeTheAgentIsCalled(String header, int length) {
        String path = "/refused-" + header.toLowerCase();
        String agentId = caller.agent(agent.url(path));
        String value = header.endsWith("Email") ? "a".repeat(length - 12) + "@example.com"
                // an IPv6 address with a zone id: a valid address of any length, so only the length refuses it
                : header.equals("X-Forwarded-For") ? "fe80::1%" + "e".repeat(length - 8) : "v".repeat(length);

        caller.invoking(Map.of(header, value))
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", containsString(header));

        assertThat(agent.hits(path)).isEmpty();
    }

    @Test
    void aForwardedClientAddressMustBeAnAddress() {
        String agentId = caller.agent(agent.url("/forwarded"));

        caller.invoking(Map.of("X-Forwarded-For", "<script>, 203.0.113.7"))
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(400).body("detail", containsString("X-Forwarded-For"));
        caller.invoking(Map.of("X-Forwarded-For", "2001:db8::7, 203.0.113.7"))
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200);

        assertThat(agent.hits("/forwarded")).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "sub, 256, ", "team_id, 8, 256" })
    void aTokenClaimTooLongForItsColumnIsRefusedBeforeTheAgentIsCalled(String claim, int subjectLength,
            Integer teamLength) {
        String path = "/long-claim-" + claim;
        String agentId = caller.agent(agent.url(path));
        String token = caller.token("s".repeat(subjectLength), teamLength == null ? null : "t".repeat(teamLength));

        caller.invoking(token, Map.of())
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(401).contentType("application/problem+json")
                .body("error_code", equalTo("UNAUTHORIZED"))
                .body("detail", containsString(claim));

        assertThat(agent.hits(path)).isEmpty();
    }

    @Test
    void aTokenClaimOfAnotherTypeIsRefusedNotCast() {
        String agentId = caller.agent(agent.url("/numeric-team"));

        caller.invoking(caller.tokenWith(Map.of("team_id", 42)), Map.of())
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(401).contentType("application/problem+json")
                .body("error_code", equalTo("UNAUTHORIZED"))
                .body("detail", containsString("team_id"));

        assertThat(agent.hits("/numeric-team")).isEmpty();
    }

    @Test
    void aTokenClaimOfExactlyTheLimitIsAccepted() {
        String agentId = caller.agent(agent.url("/claims-at-limit"));

        caller.invoking(caller.token("s".repeat(255), "t".repeat(255)), Map.of())
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200);
    }

    @Test
    void anInputOverOneHundredThousandCharactersIsRefused() {
        String agentId = caller.agent(agent.url("/long-input"));

        caller.invoking().body("{\"input\": \"" + "z".repeat(100_001) + "\"}")
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("input"));

        assertThat(agent.hits("/long-input")).isEmpty();
    }

    private static String userAgentOf(String invocationId) {
        ConsumerRecord<String, String> event = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                Topics.INVOCATIONS, record -> invocationId.equals(record.key()), 1, Duration.ofSeconds(60)).get(0);
        return new JsonObject(event.value()).getJsonObject("request").getString("user_agent");
    }
}
