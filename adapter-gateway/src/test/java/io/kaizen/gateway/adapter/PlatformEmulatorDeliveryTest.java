package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.BOT_TOKEN;
import static io.kaizen.gateway.adapter.PlatformFixtures.NOTION_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.devstack.Sink;
import io.kaizen.devstack.Sink.SinkRequest;
import io.kaizen.devstack.platform.NotionRules;
import io.kaizen.devstack.platform.TelegramRules;
import io.kaizen.gateway.GatewayTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/** The gateway's sender delivering to the Telegram and Notion emulators over HTTP, as it would to the platforms. */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class PlatformEmulatorDeliveryTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SECRET_PART = BOT_TOKEN.substring(BOT_TOKEN.indexOf(':') + 1);

    private static Vertx vertx;
    private static Sink telegram;
    private static Sink notion;

    @Inject
    AgentSender sender;
    @Inject
    PlatformAdapters adapters;

    @BeforeAll
    static void startEmulators() {
        vertx = Vertx.vertx();
        telegram = new Sink(vertx, 0, new TelegramRules());
        notion = new Sink(vertx, 0, new NotionRules());
        telegram.start();
        notion.start();
    }

    @AfterAll
    static void stopEmulators() {
        telegram.stop();
        notion.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void reset() {
        telegram.reset();
        notion.reset();
    }

    @Test
    void aTelegramInvocationIsSentAsAMessageAndTheSentMessageIsTheOutput() {
        AgentReply reply = send(call(PlatformFixtures.telegramAgent(telegram.url()), "Deploy v1.2 done: C:\\. (ok)!"))
                .await().atMost(PATIENCE);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.output().path("ok").asBoolean()).isTrue();
        assertThat(reply.output().path("result").path("text").asText()).startsWith("Deploy v1.2 done: C:\\. (ok)!\n\n");
        SinkRequest received = telegram.requests().get(0);
        assertThat(received.path()).isEqualTo("/bot" + BOT_TOKEN + "/sendMessage");
        assertThat(received.header("X-Kaizen-Invocation-ID")).isEqualTo("inv_platforms_1");
        // the call is a span of the invocation's trace, a child of the span the invocation stored
        assertThat(received.header("traceparent")).matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01")
                .isNotEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void telegramsRefusalsAndErrorsFailTheCallWithoutTheBotToken() {
        AgentDefinition noChat = PlatformFixtures.agent("telegram", telegram.url(), Map.of("bot_token", BOT_TOKEN), "none", Map.of());
        UpstreamException refused = failure(call(noChat, "hi"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.getMessage()).contains("Bad Request: chat_id is empty");

        telegram.respond(429, 0, "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 7\","
                + "\"parameters\":{\"retry_after\":7}}", 1, Map.of("Retry-After", "7"));
        assertThat(failure(call(PlatformFixtures.telegramAgent(telegram.url()), "hi")).statusCode()).isEqualTo(429);

        // an answer that repeats the token (a proxy echoing the URL) is cut out of the error
        telegram.respond(502, 0, "{\"error\":\"upstream failed for /bot" + BOT_TOKEN + "/sendMessage\"}", 1);
        UpstreamException echoed = failure(call(PlatformFixtures.telegramAgent(telegram.url()), "hi"));
        assertThat(echoed.statusCode()).isEqualTo(502);

        for (UpstreamException e : List.of(refused, echoed)) {
            assertThat(e.getMessage()).doesNotContain(SECRET_PART);
        }
    }

    @Test
    void aNotionInvocationBecomesAPageAndThePageIsTheOutput() {
        AgentReply reply = send(call(PlatformFixtures.notionAgent(notion.url()), "Quarterly report\nAll good."))
                .await().atMost(PATIENCE);

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.output().path("object").asText()).isEqualTo("page");
        assertThat(reply.output().path("properties").path("Invocation ID").path("rich_text").get(0).path("text")
                .path("content").asText()).isEqualTo("inv_platforms_1");
        SinkRequest received = notion.requests().get(0);
        assertThat(received.path()).isEqualTo("/v1/pages");
        assertThat(received.header("Authorization")).isEqualTo("Bearer " + NOTION_TOKEN);
        assertThat(received.header("Notion-Version")).isEqualTo("2022-06-28");
    }

    @Test
    void notionsValidationErrorFailsTheCallWithItsMessage() {
        // a database whose schema the page does not match
        Sink strict = new Sink(vertx, 0, new NotionRules(List.of(new NotionRules.Property("Owner", NotionRules.Type.RICH_TEXT, true))));
        strict.start();
        try {
            UpstreamException e = failure(call(PlatformFixtures.notionAgent(strict.url()), "hi"));

            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.getMessage()).contains("validation_error")
                    .contains("Owner is a required property of this database and is not provided.")
                    .doesNotContain(NOTION_TOKEN);
        } finally {
            strict.stop();
        }
    }

    private UpstreamException failure(AgentCall call) {
        return catchThrowableOfType(UpstreamException.class, () -> send(call).await().atMost(PATIENCE));
    }

    private static AgentCall call(AgentDefinition agent, Object input) {
        return new AgentCall(agent, "inv_platforms_1", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                "org_platforms", input, Map.of(), Map.of());
    }

    private Uni<AgentReply> send(AgentCall call) {
        return sender.send(adapters.forPlatform(call.agent().platform()), call);
    }
}
