package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * {@code Idempotency-Key}: a repeat gets the first answer without calling the agent again, a different request under
 * the same key is a 422, a repeat while the first is in flight a 409, and keys are per organisation.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class IdempotentInvokeTest {

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void aRepeatGetsTheFirstAnswerAndTheAgentIsCalledOnce() {
        String agentId = caller.agent(agent.url("/answer-input"));
        String key = UUID.randomUUID().toString();
        Map<String, String> headers = Map.of("Idempotency-Key", key);

        Response first = caller.invoking(headers).body("{\"input\": \"{\\\"n\\\": 1}\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke");
        Response repeat = caller.invoking(headers).body("{\"input\": \"{\\\"n\\\": 1}\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke");

        first.then().statusCode(200).body("output.n", equalTo(1));
        repeat.then().statusCode(200).header("Idempotent-Replayed", "true").header("Content-Type", "application/json");
        assertThat(repeat.body().asString()).isEqualTo(first.body().asString());
        assertThat(repeat.header("X-Kaizen-Invocation-ID")).isEqualTo(first.header("X-Kaizen-Invocation-ID"));
        assertThat(repeat.header("X-RateLimit-Remaining")).isEqualTo(first.header("X-RateLimit-Remaining"));
        assertThat(agent.hits("/answer-input")).as("the agent is called once").hasSize(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIsA422AndWithAnotherModeToo() {
        String agentId = caller.agent(agent.url("/ok"));
        Map<String, String> headers = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        caller.invoking(headers).when().post("/api/v1/external-agents/" + agentId + "/invoke").then().statusCode(200);

        caller.invoking(headers).body("{\"input\": \"something else\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(422).contentType("application/problem+json")
                .body("error_code", equalTo("IDEMPOTENCY_KEY_REUSED"));
        caller.invoking(headers).queryParam("mode", "async")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(422);
        assertThat(agent.hits("/ok")).hasSize(1);
    }

    @Test
    void aRepeatWhileTheFirstIsInFlightIsA409AndTheFirstStillAnswers() {
        String agentId = caller.agent(agent.url("/held"));
        Map<String, String> headers = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> caller.invoking(headers)
                .when().post("/api/v1/external-agents/" + agentId + "/invoke"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !agent.hits("/held").isEmpty());

        caller.invoking(headers).when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(409).contentType("application/problem+json").header("Retry-After", "1");

        agent.release();
        first.join().then().statusCode(200);
        caller.invoking(headers).when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).header("Idempotent-Replayed", "true");
        assertThat(agent.hits("/held")).hasSize(1);
    }

    @Test
    void aRefusalIsReplayedTooAndKeysArePerOrganisation() {
        Map<String, String> headers = Map.of("Idempotency-Key", "order-42");
        // another organisation's agent is a 404 for this caller; the answer is kept under the key
        Invoker stranger = new Invoker();
        String strangersAgent = stranger.agent(agent.url("/ok"));
        caller.invoking(headers).when().post("/api/v1/external-agents/" + strangersAgent + "/invoke")
                .then().statusCode(404);
        caller.invoking(headers).when().post("/api/v1/external-agents/" + strangersAgent + "/invoke")
                .then().statusCode(404).contentType("application/problem+json").header("Idempotent-Replayed", "true");

        // the same key in the other organisation is its own
        stranger.invoking(headers).when().post("/api/v1/external-agents/" + strangersAgent + "/invoke")
                .then().statusCode(200);
    }

    @Test
    void aMalformedKeyIsA400() {
        String agentId = caller.agent(agent.url("/ok"));
        for (String key : List.of("x".repeat(256), "with space", "é")) {
            caller.invoking(Map.of("Idempotency-Key", key)).when().post("/api/v1/external-agents/" + agentId + "/invoke")
                    .then().statusCode(400).contentType("application/problem+json");
        }
        assertThat(agent.hits("/ok")).isEmpty();
    }
}
