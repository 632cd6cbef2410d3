package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink;
import io.kaizen.devstack.platform.DiscordRules;
import io.kaizen.devstack.platform.SlackRules;
import io.kaizen.devstack.platform.TeamsRules;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;

/**
 * Each adapter's request goes over HTTP, through the gateway's {@link OutboundHttp}, to a running emulator of its
 * platform, and the platform's answer is read back as the agent's reply.
 */
class EmulatorDeliveryTest {

    private static Vertx vertx;
    private static OutboundHttp http;

    private final ObjectMapper mapper = new ObjectMapper();
    private Sink emulator;

    @BeforeAll
    static void startClient() {
        vertx = Vertx.vertx();
        http = new OutboundHttp(vertx, new EgressGuard(true, false, List.of()));
    }

    @AfterAll
    static void stopClient() {
        http.close();
        vertx.closeAndAwait();
    }

    @AfterEach
    void stopEmulator() {
        emulator.stop();
    }

    @Test
    void slackMessageIsPostedToTheWebhookAndOkIsReadAsOkTrue() throws Exception {
        SlackAdapter adapter = new SlackAdapter(mapper);
        String webhook = start(new SlackRules()) + "/services/T1/B1/secret";

        OutboundRequest request = adapter.render(PlatformFixtures.agent("slack", Map.of("webhook_url", webhook)),
                PlatformFixtures.sample());
        OutboundHttp.Reply reply = send(request);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body().toString()).isEqualTo("ok");
        assertThat(adapter.read(reply).output()).isEqualTo(mapper.readTree("{\"ok\":true}"));
        assertReceived("/services/T1/B1/secret", null, request);
    }

    @Test
    void discordEmbedIsPostedWithWaitAndTheCreatedMessageIsTheOutput() throws Exception {
        DiscordAdapter adapter = new DiscordAdapter(mapper);
        String webhook = start(new DiscordRules()) + "/api/webhooks/123/secret";

        OutboundRequest request = adapter.render(PlatformFixtures.agent("discord",
                Map.of("webhook_url", webhook, "username", "Kaizen Studio")), PlatformFixtures.sample());
        OutboundHttp.Reply reply = send(request);

        assertThat(reply.status()).isEqualTo(200);
        JsonNode output = adapter.read(reply).output();
        assertThat(output.path("id").asText()).isNotBlank();
        assertThat(output.path("webhook_id").asText()).isEqualTo("123");
        assertThat(output.path("author").path("username").asText()).isEqualTo("Kaizen Studio");
        assertThat(output.path("embeds")).isEqualTo(mapper.readTree(request.body()).path("embeds"));
        assertReceived("/api/webhooks/123/secret", "wait=true", request);
    }

    @Test
    void teamsAdaptiveCardIsAcceptedWith202AndReadAsAccepted() throws Exception {
        TeamsAdapter adapter = new TeamsAdapter(mapper);
        String webhook = start(new TeamsRules()) + "/workflows/abc/triggers/manual/paths/invoke";

        OutboundRequest request = adapter.render(PlatformFixtures.agent("teams", Map.of("webhook_url", webhook)),
                PlatformFixtures.sample());
        OutboundHttp.Reply reply = send(request);

        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.body().length()).isZero();
        assertThat(adapter.read(reply).output()).isEqualTo(mapper.readTree("{\"accepted\":true}"));
        assertReceived("/workflows/abc/triggers/manual/paths/invoke", null, request);
    }

    @Test
    void theEmulatorRefusesWhatThePlatformWouldRefuse() {
        String webhook = start(new SlackRules()) + "/services/T1/B1/secret";

        OutboundHttp.Reply reply = send(OutboundRequest.json(webhook, "{\"blocks\":[{\"type\":\"marquee\"}]}".getBytes()));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.body().toString()).isEqualTo("invalid_blocks");
    }

    @Test
    void theEmulatorAnswersAScripted429WithRetryAfterBeforeItsRules() {
        String webhook = start(new DiscordRules()) + "/api/webhooks/123/secret";
        emulator.respond(429, 0, "{\"message\":\"You are being rate limited.\",\"retry_after\":1.5,\"global\":false}", 1,
                Map.of("Retry-After", "2"));
        OutboundRequest request = new DiscordAdapter(mapper).render(
                PlatformFixtures.agent("discord", Map.of("webhook_url", webhook)), PlatformFixtures.sample());

        assertThat(send(request).status()).isEqualTo(429);
        assertThat(send(request).status()).isEqualTo(200);
    }

    private String start(PlatformRules rules) {
        emulator = new Sink(vertx.getDelegate(), 0, rules);
        emulator.start();
        return emulator.url();
    }

    private static OutboundHttp.Reply send(OutboundRequest request) {
        return http.post(request.url(), request.headers(), Buffer.buffer(request.body()), Duration.ofSeconds(30))
                .await().atMost(Duration.ofSeconds(60));
    }

    private void assertReceived(String path, String query, OutboundRequest request) throws Exception {
        Sink.SinkRequest received = emulator.awaitRequests(1, Duration.ofSeconds(60)).get(0);
        assertThat(received.path()).isEqualTo(path);
        assertThat(received.query()).isEqualTo(query);
        assertThat(received.header("Content-Type")).isEqualTo("application/json");
        assertThat(mapper.readTree(received.body())).isEqualTo(mapper.readTree(request.body()));
    }
}
