package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * {@code POST /api/v1/external-agents/{id}/test} sends a real message to the agent, reports how it went, and allows
 * ten per agent per hour.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class AgentTestMessageTest {

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void aTestMessageReachesTheAgentAndItsAnswerIsReported() {
        String agentId = caller.agent(agent.url("/answer-input"));

        given().auth().oauth2(caller.token()).contentType(ContentType.JSON).body("{\"message\": \"{\\\"pong\\\": true}\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/test")
                .then().statusCode(200)
                .body("success", equalTo(true))
                .body("status_code", equalTo(200))
                .body("response_body.pong", equalTo(true))
                .body("tested_at", notNullValue());
        assertThat(agent.hits("/answer-input")).hasSize(1);
    }

    @Test
    void anAgentThatFailsIsReportedAsAFailedTestNotAsAnError() {
        String agentId = caller.agent(agent.url("/redirect-302"));

        given().auth().oauth2(caller.token()).contentType(ContentType.JSON)
                .when().post("/api/v1/external-agents/" + agentId + "/test")
                .then().statusCode(200)
                .body("success", equalTo(false))
                .body("status_code", equalTo(302))
                .body("error", equalTo("agent answered HTTP 302"));
    }

    @Test
    void theEleventhTestWithinAnHourIsA429WithRetryAfter() {
        String agentId = caller.agent(agent.url("/ok"));
        for (int i = 0; i < 10; i++) {
            given().auth().oauth2(caller.token()).contentType(ContentType.JSON)
                    .when().post("/api/v1/external-agents/" + agentId + "/test").then().statusCode(200);
        }
        String retryAfter = given().auth().oauth2(caller.token()).contentType(ContentType.JSON)
                .when().post("/api/v1/external-agents/" + agentId + "/test")
                .then().statusCode(429).contentType("application/problem+json")
                .body("error_code", equalTo("RATE_LIMIT_EXCEEDED"))
                .extract().header("Retry-After");
        assertThat(Long.parseLong(retryAfter)).isBetween(1L, 3601L);
        assertThat(agent.hits("/ok")).hasSize(10);

        // another agent has its own ten
        String other = caller.agent(agent.url("/ok"));
        given().auth().oauth2(caller.token()).contentType(ContentType.JSON)
                .when().post("/api/v1/external-agents/" + other + "/test").then().statusCode(200);
    }

    /** Fifteen tests released together: the limit holds exactly, whatever their order. */
    @Test
    void fifteenConcurrentTestsOfOneAgentSendExactlyTen() {
        String agentId = caller.agent(agent.url("/ok"));
        String token = caller.token();
        CyclicBarrier start = new CyclicBarrier(15);
        ExecutorService testers = Executors.newFixedThreadPool(15);
        List<CompletableFuture<Integer>> statuses = IntStream.range(0, 15).mapToObj(i -> CompletableFuture.supplyAsync(
                () -> {
            try {
                start.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return given().auth().oauth2(token).contentType(ContentType.JSON)
                    .when().post("/api/v1/external-agents/" + agentId + "/test").statusCode();
        }, testers)).toList();

        List<Integer> answered = statuses.stream().map(CompletableFuture::join).toList();
        testers.shutdown();
        assertThat(answered).filteredOn(status -> status == 200).hasSize(10);
        assertThat(answered).filteredOn(status -> status == 429).hasSize(5);
        assertThat(agent.hits("/ok")).hasSize(10);
    }

    @Test
    void anotherOrganisationsAgentIsA404AndItIsNotCalled() {
        Invoker stranger = new Invoker();
        String agentId = stranger.agent(agent.url("/ok"));
        given().auth().oauth2(caller.token()).contentType(ContentType.JSON)
                .when().post("/api/v1/external-agents/" + agentId + "/test")
                .then().statusCode(404).contentType("application/problem+json");
        assertThat(agent.hits("/ok")).isEmpty();
    }
}
