package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;

/**
 * An agent's {@code notify} channels are told when an invocation of it completes or fails: one notification
 * delivery per channel listening to that outcome, stored with the invocation's final record, with the agent's
 * name, the outcome, duration, cost and an excerpt of the output or error without secrets.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvokeNotifyTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

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

    @BeforeEach
    void resetMail() {
        SmtpStandIn.shared().reset();
    }

    @AfterEach
    void stopAgent() {
        agent.close();
        receiver.reset();
    }

    private JsonArray channels() {
        return new JsonArray()
                .add(new JsonObject().put("type", "webhook").put("url", receiver.url() + "/told/completed")
                        .put("on", new JsonArray().add("completed")))
                .add(new JsonObject().put("type", "email").put("to", new JsonArray().add("oncall@example.com"))
                        .put("on", new JsonArray().add("failed")))
                .add(new JsonObject().put("type", "webhook").put("url", receiver.url() + "/told/both"));
    }

    @Test
    void aCompletedInvocationIsToldToTheChannelsListeningForCompletion() {
        String agentId = caller.agent(agent.url("/answer-input"));
        InternalApiStandIn.shared().field(agentId, "notify", channels());

        String id = caller.invoking()
                .body("{\"input\": \"{\\\"summary\\\": \\\"done\\\", \\\"api_key\\\": \\\"sk_live_leaked_value\\\"}\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        receiver.awaitRequests(2, PATIENCE);
        Sink.SinkRequest told = receiver.requests().stream().filter(r -> r.path().equals("/told/completed"))
                .findFirst().orElseThrow();
        assertThat(told.header("webhook-id")).isEqualTo(id + ":notify:0");
        JsonObject notification = new JsonObject(told.body());
        assertThat(notification.getString("subject")).isEqualTo("invocation.completed");
        assertThat(notification.getString("organization_id")).isEqualTo(caller.organizationId);
        JsonObject message = notification.getJsonObject("message");
        assertThat(message.getString("status")).isEqualTo("success");
        assertThat(message.getString("title")).isEqualTo("Test agent " + agentId + ": invocation completed");
        assertThat(message.getString("text")).contains("done").doesNotContain("sk_live_leaked_value");
        assertThat(message.getJsonArray("facts").encode()).contains("\"Cost\"").contains("$0.05")
                .contains("\"Duration\"").contains(id);
        assertThat(receiver.requests()).extracting(Sink.SinkRequest::path)
                .containsExactlyInAnyOrder("/told/completed", "/told/both");
        given().auth().oauth2(caller.token()).when().get("/api/v1/invocations/" + id + "/deliveries")
                .then().statusCode(200)
                .body("items", hasSize(2))
                .body("items.kind", everyItem(equalTo("notification")));
        assertThat(SmtpStandIn.shared().received()).isEmpty();
    }

    @Test
    void aFailedInvocationIsToldByEmailWithItsError() throws Exception {
        String agentId = caller.agent(agent.url("/redirect-302"));
        InternalApiStandIn.shared().field(agentId, "notify", channels());

        String id = caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(502).extract().path("invocation_id");

        await().atMost(PATIENCE).until(() -> SmtpStandIn.shared().received().length == 1);
        MimeMessage mail = SmtpStandIn.shared().received()[0];
        assertThat(mail.getSubject()).isEqualTo("Test agent " + agentId + ": invocation failed");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
        assertThat(mail.getHeader("X-Kaizen-Notification-ID")[0]).isEqualTo(id + ":notify:1");
        // the plain-text alternative comes first
        String text = String.valueOf(((jakarta.mail.Multipart) mail.getContent()).getBodyPart(0).getContent());
        assertThat(text).contains("Error: UPSTREAM_ERROR").contains("agent answered HTTP 302").contains(id);
        Sink.SinkRequest both = receiver.awaitRequests(1, PATIENCE).get(0);
        assertThat(both.path()).isEqualTo("/told/both");
        assertThat(new JsonObject(both.body()).getJsonObject("message").getString("text"))
                .contains("agent answered HTTP 302");
        assertThat(receiver.requests()).noneMatch(r -> r.path().equals("/told/completed"));
        assertThat(SmtpStandIn.shared().received()).hasSize(1);
    }

    @Test
    void anAgentWithoutNotifyChannelsStoresNoNotification() {
        String agentId = caller.agent(agent.url("/ok"));

        String id = caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        given().auth().oauth2(caller.token()).when().get("/api/v1/invocations/" + id + "/deliveries")
                .then().statusCode(200).body("items", hasSize(0));
    }
}
