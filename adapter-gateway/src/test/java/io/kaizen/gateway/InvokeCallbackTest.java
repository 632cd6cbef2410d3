package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.DevStackTestResource;
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

        // the final event says a delivery is owed; its end is told in the transaction that records it
        JsonObject completed = new JsonObject(payload(id, EventTypes.INVOCATION_COMPLETED));
        assertThat(completed.getJsonObject("result").getString("delivery_status")).isEqualTo("pending");
        JsonObject settled = new JsonObject(await().atMost(Duration.ofSeconds(60))
                .until(() -> payload(id, EventTypes.INVOCATION_DELIVERY_SETTLED), Objects::nonNull));
        assertThat(settled.getString("invocation_id")).isEqualTo(id);
        assertThat(settled.getString("organization_id")).isEqualTo(caller.organizationId);
        assertThat(settled.getString("agent_id")).isEqualTo(agentId);
        assertThat(settled.getString("kind")).isEqualTo("callback");
        assertThat(settled.getString("status")).isEqualTo("delivered");
        assertThat(settled.getInteger("attempts")).isEqualTo(1);
        assertThat(settled.encode()).doesNotContain(receiver.url());
    }

    @Test
    void theInvocationEventCarriesTheRequestHeadersWithoutAnyCredentialAndTheCallersAddressAndAgent() {
        String agentId = caller.agent(agent.url("/ok"));

        String id = caller.invoking(Map.of("User-Agent", "lineage-check/1.0", "X-Forwarded-For", "203.0.113.9",
                        "Cookie", "session=secret-cookie", "X-Upstream-Token", "secret-upstream-token",
                        "X-Request-Source", "nightly-batch"))
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        String payload = payload(id, EventTypes.INVOCATION_COMPLETED);
        JsonObject request = new JsonObject(payload).getJsonObject("request");
        assertThat(request.getString("ip_address")).isEqualTo("203.0.113.9");
        assertThat(request.getString("user_agent")).isEqualTo("lineage-check/1.0");
        JsonObject headers = request.getJsonObject("headers");
        assertThat(headers.getString("x-request-source")).isEqualTo("nightly-batch");
        assertThat(headers.getString("user-agent")).isEqualTo("lineage-check/1.0");
        assertThat(headers.getString("x-external-user-id")).isEqualTo("ext-user-7");
        assertThat(headers.fieldNames()).allMatch(name -> name.equals(name.toLowerCase(Locale.ROOT)))
                .doesNotContain("authorization", "cookie", "x-upstream-token");
        assertThat(payload).doesNotContain("secret").doesNotContain("Bearer");
        assertThat(new JsonObject(payload).getJsonObject("result").getString("delivery_status")).isNull();
    }

    /** The payload of the invocation's event of that type in the outbox, or null. */
    private static String payload(String invocationId, String type) {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement(
                        "select payload from outbox_event where event_key = ? and type = ?")) {
            query.setString(1, invocationId);
            query.setString(2, type);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
