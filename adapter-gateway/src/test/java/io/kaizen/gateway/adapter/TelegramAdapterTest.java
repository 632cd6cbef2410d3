package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.BOT_TOKEN;
import static io.kaizen.gateway.adapter.PlatformFixtures.GOLDEN;
import static io.kaizen.gateway.adapter.PlatformFixtures.received;
import static io.kaizen.gateway.adapter.PlatformFixtures.telegramAgent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.platform.MarkdownV2;
import io.kaizen.devstack.platform.TelegramRules;
import io.vertx.mutiny.core.buffer.Buffer;

class TelegramAdapterTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final TelegramAdapter adapter = new TelegramAdapter(mapper);
    private final TelegramRules telegram = new TelegramRules();

    @Test
    void theGoldenMessageBecomesTheGoldenSendMessage() throws Exception {
        OutboundRequest request = adapter.render(telegramAgent("https://api.telegram.org/"), GOLDEN);

        assertThat(request.url()).isEqualTo("https://api.telegram.org/bot" + BOT_TOKEN + "/sendMessage");
        assertThat(request.headers()).containsEntry("Content-Type", "application/json");
        assertThat(mapper.readTree(request.body())).isEqualTo(mapper.readTree(PlatformFixtures.golden("telegram-send-message.json")));
        assertThat(telegram.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void theShownTextIsTheMessageWithItsBackslashes() {
        // the original escaped "\." as "\\." and Telegram refused the bare dot
        String text = "C:\\. and \\\\ and \\_ and \\";

        String shown = shown(adapter.render(telegramAgent(null), message(text)));

        assertThat(shown).contains(text);
    }

    @Test
    void aTextOverTheLimitIsShortenedMeasuredAfterEscapingAndNeverInsideAnEscape() {
        // 5,000 dots are 10,000 characters escaped
        String text = ".".repeat(5000);

        OutboundRequest request = adapter.render(telegramAgent(null), message(text));
        String written = text(request);

        assertThat(written.length()).isLessThanOrEqualTo(TelegramAdapter.MAX_TEXT).isGreaterThan(TelegramAdapter.MAX_TEXT - 10);
        assertThat(written).contains("\\.…").doesNotContain("\\…");
        assertThat(telegram.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void aLongTextOfEmojiIsShortenedBetweenCharacters() {
        String text = "😀".repeat(3000);

        OutboundRequest request = adapter.render(telegramAgent(null), message(text));
        String written = text(request);

        assertThat(written.length()).isLessThanOrEqualTo(TelegramAdapter.MAX_TEXT);
        assertThat(MessageText.wellFormed(written)).isEqualTo(written);
        assertThat(written).contains("😀…");
        assertThat(telegram.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void manyLongFactsNeverCrowdOutTheMessage() {
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            facts.add(new PlatformMessage.Fact("fact_" + i + "*".repeat(100), "value.".repeat(200)));
        }
        PlatformMessage message = new PlatformMessage("t".repeat(1000), "the text", PlatformMessage.Status.FAILED, facts,
                null, Instant.parse("2026-12-03T17:24:21Z"));

        OutboundRequest request = adapter.render(telegramAgent(null), message);

        assertThat(text(request).length()).isLessThanOrEqualTo(TelegramAdapter.MAX_TEXT);
        assertThat(shown(request)).startsWith("❌ ").contains("the text").contains("fact_0");
    }

    @Test
    void withoutAWebLinkThereIsNoButton() throws Exception {
        PlatformMessage message = new PlatformMessage("t", "x", null, List.of(), "javascript:alert(1)", null);

        OutboundRequest request = adapter.render(telegramAgent(null), message);

        assertThat(mapper.readTree(request.body()).has("reply_markup")).isFalse();
        assertThat(telegram.answer(received(request)).status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "", "123:short", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/../../x",
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw?x=1" })
    void aMissingOrMalformedBotTokenIsRefusedWithoutShowingIt(String token) {
        var agent = PlatformFixtures.agent("telegram", null, Map.of("bot_token", token, "chat_id", "1"), "none", Map.of());

        assertThatThrownBy(() -> adapter.render(agent, message("hi")))
                .isInstanceOf(UpstreamException.class)
                .hasMessage("the telegram agent has no well-formed bot_token");
    }

    @Test
    void anAcceptedMessageIsTheOutput() {
        Answer answer = telegram.answer(received(adapter.render(telegramAgent(null), message("hi"))));

        AgentReply reply = adapter.read(new OutboundHttp.Reply(200, "application/json", Buffer.buffer(answer.body())));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.output().path("result").path("text").asText()).isEqualTo("hi\n\n2026-12-03T17:24:21Z");
        assertThat(reply.reportedCostUsd()).isNull();
        assertThat(reply.reportedTokens()).isFalse();
    }

    @Test
    void anAnswerWithOkFalseFailsTheCall() {
        Buffer body = Buffer.buffer("{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}");

        assertThatThrownBy(() -> adapter.read(new OutboundHttp.Reply(200, "application/json", body)))
                .isInstanceOf(UpstreamException.class)
                .hasMessageContaining("Bad Request: chat not found")
                .satisfies(e -> assertThat(((UpstreamException) e).statusCode()).isEqualTo(200));
        assertThatThrownBy(() -> adapter.read(new OutboundHttp.Reply(200, "text/html", Buffer.buffer("<html>"))))
                .isInstanceOf(UpstreamException.class);
    }

    private static PlatformMessage message(String text) {
        return new PlatformMessage(null, text, PlatformMessage.Status.INFO, List.of(), null,
                Instant.parse("2026-12-03T17:24:21Z"));
    }

    private String text(OutboundRequest request) {
        try {
            JsonNode payload = mapper.readTree(request.body());
            return payload.path("text").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text as Telegram shows it. */
    private String shown(OutboundRequest request) {
        return MarkdownV2.parse(text(request)).text();
    }
}
