package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.received;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.platform.DiscordRules;
import io.kaizen.devstack.platform.MarkdownV2;
import io.kaizen.devstack.platform.NotionRules;
import io.kaizen.devstack.platform.SlackRules;
import io.kaizen.devstack.platform.TeamsRules;
import io.kaizen.devstack.platform.TelegramRules;

/**
 * Whatever the message — very long, Unicode-heavy (surrogate pairs, joiners, combining marks, broken surrogates),
 * markup of every platform, many facts, links that are not links — each adapter renders a request its platform's
 * emulator accepts, as well-formed UTF-8, and Telegram and Notion show the text as written whenever it fits.
 * Messages come from {@link RandomMessages}, one per seed; a failure names its seed.
 */
class EmulatorAcceptanceTest {

    private static final String[] SLACK_CHANNELS = {"#general", "@someone", null};
    private static final String[] DISCORD_NAMES = {"Kaizen Studio", "My Discord bot", "clyde", "u".repeat(80),
        "😀".repeat(80), " x ", null};
    private static final String[] TEAMS_FORMATS = {"adaptive_card", "message_card", null};

    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void slackAcceptsEveryRenderedMessage(long seed) {
        assertAccepted(new SlackRules(), new SlackAdapter(mapper).render(
                PlatformFixtures.agent("slack", config("channel", SLACK_CHANNELS, seed)), RandomMessages.message(seed)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void discordAcceptsEveryRenderedMessage(long seed) {
        assertAccepted(new DiscordRules(), new DiscordAdapter(mapper).render(
                PlatformFixtures.agent("discord", config("username", DISCORD_NAMES, seed)), RandomMessages.message(seed)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void teamsAcceptsEveryRenderedCard(long seed) {
        assertAccepted(new TeamsRules(), new TeamsAdapter(mapper).render(
                PlatformFixtures.agent("teams", config("card_format", TEAMS_FORMATS, seed)), RandomMessages.message(seed)));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void telegramAcceptsEveryRenderedMessageAndShowsTheTextWhenItFits(long seed) throws Exception {
        PlatformMessage message = RandomMessages.message(seed);
        OutboundRequest request = new TelegramAdapter(mapper).render(PlatformFixtures.telegramAgent(null), message);

        assertAccepted(new TelegramRules(), request);
        String written = mapper.readTree(request.body()).path("text").asText();
        assertThat(written.length()).isLessThanOrEqualTo(TelegramAdapter.MAX_TEXT);
        String text = MessageText.wellFormed(message.text());
        if (TelegramAdapter.escape(text).length() < TelegramAdapter.MAX_TEXT - 1500) {
            assertThat(MarkdownV2.parse(written).text()).contains(text);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void notionAcceptsEveryRenderedPageAndShowsTheText(long seed) throws Exception {
        PlatformMessage message = RandomMessages.message(seed);
        OutboundRequest request = new NotionAdapter(mapper).render(PlatformFixtures.notionAgent(null), message);

        assertAccepted(new NotionRules(), request);
        StringBuilder shown = new StringBuilder();
        for (JsonNode block : mapper.readTree(request.body()).path("children")) {
            for (JsonNode element : block.path("paragraph").path("rich_text")) {
                if (!element.path("annotations").path("bold").asBoolean()) {
                    shown.append(element.path("text").path("content").asText());
                }
            }
        }
        String text = MessageText.wellFormed(message.text());
        if (text.length() <= 150_000) {
            assertThat(shown.toString()).endsWith(text);
        }
    }

    private static void assertAccepted(PlatformRules rules, OutboundRequest request) {
        strictUtf8(request.body());
        PlatformRules.Answer answer = rules.answer(received(request));
        assertThat(answer.accepted()).as("%s answered %s %s", rules.platform(), answer.status(), answer.body()).isTrue();
    }

    private static void strictUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new AssertionError("the payload is not well-formed UTF-8", e);
        }
    }

    /** A webhook agent's configuration, with the seed's choice of one more setting. */
    private static Map<String, Object> config(String key, String[] choices, long seed) {
        Map<String, Object> config = new HashMap<>();
        config.put("webhook_url", "https://hooks.example.com/api/webhooks/123/token");
        String value = choices[(int) (seed % choices.length)];
        if (value != null) {
            config.put(key, value);
        }
        return config;
    }
}
