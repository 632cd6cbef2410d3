package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.received;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.platform.MarkdownV2;
import io.kaizen.devstack.platform.NotionRules;
import io.kaizen.devstack.platform.TelegramRules;

/**
 * Whatever the message (very long, Unicode-heavy with surrogate pairs, combining marks and joiners, every MarkdownV2
 * reserved character and backslashes, broken surrogates, links that are not links), each adapter renders a request
 * its platform's emulator accepts, and the text is shown as it was written whenever it fits. Messages come from
 * {@link RandomMessages}, one per seed.
 */
class PlatformEmulatorAcceptanceTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final TelegramAdapter telegramAdapter = new TelegramAdapter(mapper);
    private final NotionAdapter notionAdapter = new NotionAdapter(mapper);
    private final TelegramRules telegram = new TelegramRules();
    private final NotionRules notion = new NotionRules();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void telegramAcceptsEveryRenderedMessage(long seed) throws Exception {
        PlatformMessage message = RandomMessages.message(seed);
        OutboundRequest request = telegramAdapter.render(PlatformFixtures.telegramAgent(null), message);

        Answer answer = telegram.answer(received(request));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        String written = mapper.readTree(request.body()).path("text").asText();
        assertThat(written.length()).isLessThanOrEqualTo(TelegramAdapter.MAX_TEXT);
        String text = TextTruncation.wellFormed(message.text());
        if (TelegramAdapter.escape(text).length() < TelegramAdapter.MAX_TEXT - 1500) {
            assertThat(MarkdownV2.parse(written).text()).contains(text);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("io.kaizen.gateway.adapter.RandomMessages#seeds")
    void notionAcceptsEveryRenderedPage(long seed) throws Exception {
        PlatformMessage message = RandomMessages.message(seed);
        OutboundRequest request = notionAdapter.render(PlatformFixtures.notionAgent(null), message);

        Answer answer = notion.answer(received(request));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        StringBuilder shown = new StringBuilder();
        for (JsonNode block : mapper.readTree(request.body()).path("children")) {
            for (JsonNode element : block.path("paragraph").path("rich_text")) {
                if (!element.path("annotations").path("bold").asBoolean()) {
                    shown.append(element.path("text").path("content").asText());
                }
            }
        }
        assertThat(shown.toString()).endsWith(TextTruncation.wellFormed(message.text()));
    }
}
