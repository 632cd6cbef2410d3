package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * An invoke's {@code callback_url} gets the outcome of the allowed call as a stored delivery, stored with the
 * invocation; a callback URL the egress guard refuses is a 400 before anything happens.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvokeCallbackTest {

    private static Vertx vertx;
    private static Sink receiver;

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @BeforeAll
    static void startReceiver() {
        vertx = Vertx.vertx();
        receiver = new Sink(vertx, 0);
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void stopAgent() {
        agent.close();
        receiver.reset();
    }

    @Test
    void theOutcomeOfAnAsynchronousInvokeIsPostedToItsCallback() {
        String agentId = caller.agent(agent.url("/answer-input"));

        String id = caller.invoking().queryParam("mode", "async")
                .body("{\"input\": \"{\\\"answer\\\": 42}\", \"callback_url\": \"" + receiver.url() + "/hooks/result\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(202).extract().path("invocation_id");

        List<Sink.SinkRequest> received = receiver.awaitRequests(1, Duration.ofSeconds(60));
        Sink.SinkRequest callback = received.get(0);
        assertThat(callback.path()).isEqualTo("/hooks/result");
        assertThat(callback.header("webhook-id")).isEqualTo(id);
        assertThat(callback.header("x-kaizen-invocation-id")).isEqualTo(id);
        JsonObject body = new JsonObject(callback.body());
        assertThat(body.getString("invocation_id")).isEqualTo(id);
        assertThat(body.getString("status")).isEqualTo("success");
        assertThat(body.getJsonObject("output").getInteger("answer")).isEqualTo(42);
        given().auth().oauth2(caller.token()).when().get("/api/v1/invocations/" + id + "/deliveries")
                .then().statusCode(200).body(containsString("delivered"));
    }

    @Test
    void aFailedCallIsPostedToItsCallbackWithItsError() {
        String agentId = caller.agent(agent.url("/redirect-302"));

        caller.invoking().body("{\"input\": \"hi\", \"callback_url\": \"" + receiver.url() + "/hooks/result\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(502);

        JsonObject body = new JsonObject(receiver.awaitRequests(1, Duration.ofSeconds(60)).get(0).body());
        assertThat(body.getString("status")).isEqualTo("failure");
        assertThat(body.getString("error_code")).isEqualTo("UPSTREAM_ERROR");
        assertThat(body.getInteger("upstream_status")).isEqualTo(302);
    }

    @Test
    void aCallbackUrlTheEgressGuardRefusesIsA400AndTheAgentIsNotCalled() {
        String agentId = caller.agent(agent.url("/ok"));
        for (String url : List.of("ftp://example.com/x", "http://10.0.0.1/hook", "http://169.254.169.254/latest",
                "http://0x7f000001/", "file:///etc/passwd")) {
            caller.invoking().body("{\"input\": \"hi\", \"callback_url\": \"" + url + "\"}")
                    .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("callback_url"));
        }
        assertThat(agent.hits("/ok")).isEmpty();
        assertThat(receiver.requests()).isEmpty();
    }
}
