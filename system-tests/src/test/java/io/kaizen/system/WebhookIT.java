package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink.SinkRequest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * An organisation webhook fed by the running suite: an invocation that fails through the router becomes an
 * {@code invocation.failed} event, which the gateway delivers to the organisation's webhook, signed.
 */
class WebhookIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Suite suite = Suite.get();

    @Test
    void aFailedInvocationReachesTheOrganisationsWebhookSigned() throws Exception {
        String org = Suite.newOrg();
        String token = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(token, "Webhook Broken Bot " + org);
        String hookPath = "/hooks/" + org;
        Response created = suite.as(token).body("""
                {"name": "Ops", "url": "%s%s", "events": ["invocation.failed"]}
                """.formatted(suite.stack.sinkUrl(), hookPath))
                .when().post("/api/v1/webhooks")
                .then().statusCode(201).extract().response();
        String webhookId = created.path("id");
        String secret = created.path("secret");
        suite.stack.sink().respond(500, 0, "{\"error\": \"database on fire\"}", 1);

        String invocationId = suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(502).extract().path("invocation_id");

        await().atMost(PATIENCE).until(() -> !hooked(hookPath).isEmpty());
        SinkRequest delivered = hooked(hookPath).get(0);
        JsonPath body = JsonPath.from(delivered.body());
        assertThat(body.getString("type")).isEqualTo("kaizen.invocation.failed.v1");
        assertThat(body.getString("subject")).isEqualTo(invocationId);
        assertThat(body.getString("organizationid")).isEqualTo(org);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String signed = delivered.header("webhook-id") + "." + delivered.header("webhook-timestamp") + "."
                + delivered.body();
        assertThat(delivered.header("webhook-signature")).isEqualTo("v1,"
                + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8))));
        await().atMost(PATIENCE).untilAsserted(() -> suite.as(token)
                .when().get("/api/v1/webhooks/" + webhookId + "/deliveries")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].status", equalTo("delivered"))
                .body("items[0].invocation_id", equalTo(invocationId)));
    }

    private List<SinkRequest> hooked(String path) {
        return suite.stack.sink().requests().stream().filter(request -> request.path().equals(path)).toList();
    }
}
