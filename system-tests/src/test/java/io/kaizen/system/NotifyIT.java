package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonObject;

/** An agent's notify channel, set at registry, is told by the gateway when an invocation of it completes. */
class NotifyIT {

    private final Suite suite = Suite.get();

    @Test
    void aCompletedInvocationIsToldToTheNotifyWebhookRegisteredWithTheAgent() {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = suite.as(token).body("""
                {"name": "Notifying Bot", "platform": "custom_http", "endpoint_url": "%s/agents/notifying",
                 "notify": [{"type": "webhook", "url": "%s/told", "on": ["completed"]},
                            {"type": "webhook", "url": "%s/told-on-failure", "on": ["failed"]}]}
                """.formatted(suite.stack.sinkUrl(), suite.stack.sinkUrl(), suite.stack.sinkUrl()))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).body("notify[0].on[0]", equalTo("completed")).extract().path("id");
        suite.stack.sink().reset();

        String invocationId = suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        await().atMost(Duration.ofSeconds(60)).until(() -> suite.stack.sink().requests().stream()
                .anyMatch(request -> request.path().equals("/told")));
        SinkRequest told = suite.stack.sink().requests().stream().filter(request -> request.path().equals("/told"))
                .findFirst().orElseThrow();
        assertThat(told.header("webhook-id")).isEqualTo(invocationId + ":notify:0");
        JsonObject notification = new JsonObject(told.body());
        assertThat(notification.getString("subject")).isEqualTo("invocation.completed");
        assertThat(notification.getJsonObject("message").getString("title"))
                .isEqualTo("Notifying Bot: invocation completed");
        assertThat(suite.stack.sink().requests()).noneMatch(request -> request.path().equals("/told-on-failure"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/invocations/" + invocationId + "/deliveries")
                .then().statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].kind", equalTo("notification"))
                .body("items[0].status", equalTo("delivered")));
    }
}
