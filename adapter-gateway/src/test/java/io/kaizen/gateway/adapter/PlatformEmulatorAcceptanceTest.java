package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.received;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.platform.MarkdownV2;
import io.kaizen.devstack.platform.NotionRules;
import io.kaizen.devstack.platform.TelegramRules;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

/**
 * Whatever the message (very long, Unicode-heavy with surrogate pairs, combining marks and joiners, every MarkdownV2
 * reserved character and backslashes, broken surrogates, links that are not links), each adapter renders a request
 * its platform's emulator accepts, and the text is shown as it was written whenever it fits.
 */
class PlatformEmulatorAcceptanceTest {

    /** Pieces of hostile text: markup of both platforms, multi-unit characters, controls and invisible marks. */
    private static final List<String> PIECES = List.of(
            "_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|", "{", "}", ".", "!", "\\",
            "__", "||", "```", "\\.", "\\\\", "[a](http://x.example)", "*b*", "a", "Z", "0", " ", "\n", "\r\n", "\t",
            "é", "e\u0301", "中文", "ß", "😀", "👍🏽", "👨‍👩‍👧", "🇫🇷", "\u200d", "\u202e", "\uFEFF", "\u0000", "…",
            "\"", "'", "<b>", "&amp;", "%s", "${x}", "𝔘𝔫𝔦");

    private final ObjectMapper mapper = new ObjectMapper();
    private final TelegramAdapter telegramAdapter = new TelegramAdapter(mapper);
    private final NotionAdapter notionAdapter = new NotionAdapter(mapper);
    private final TelegramRules telegram = new TelegramRules();
    private final NotionRules notion = new NotionRules();

    @Property(tries = 200)
    void telegramAcceptsEveryRenderedMessage(@ForAll("messages") PlatformMessage message) throws Exception {
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

    @Property(tries = 200)
    void notionAcceptsEveryRenderedPage(@ForAll("messages") PlatformMessage message) throws Exception {
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

    @Provide
    Arbitrary<PlatformMessage> messages() {
        Arbitrary<String> title = hostile(300);
        Arbitrary<String> text = Arbitraries.oneOf(hostile(8000), Arbitraries.strings().ofMaxLength(2000));
        Arbitrary<PlatformMessage.Status> status = Arbitraries.of(PlatformMessage.Status.class);
        Arbitrary<List<PlatformMessage.Fact>> facts = Combinators.combine(
                        Arbitraries.oneOf(hostile(40), Arbitraries.of("Agent ID", "Invocation ID", "Execution Time (ms)",
                                "Invoked At", "Completed At", "Error Message")),
                        Arbitraries.oneOf(hostile(700), Arbitraries.of("123", "12.5", "2026-12-03T17:24:21Z", "")))
                .as(PlatformMessage.Fact::new)
                .list().ofMaxSize(60);
        Arbitrary<String> link = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.strings().alpha().ofMaxLength(30).map(path -> "https://kaizen.studio/" + path),
                hostile(20));
        Arbitrary<Instant> timestamp = Arbitraries.longs().between(946_684_800_000L, 4_102_444_800_000L)
                .map(Instant::ofEpochMilli);
        return Combinators.combine(title, text, status, facts, link, timestamp)
                .as((t, x, s, f, l, at) -> new PlatformMessage(t, x, s, new ArrayList<>(f), l, at));
    }

    /** Up to {@code maxPieces} hostile pieces, lengths spread evenly so very long texts are common. */
    private static Arbitrary<String> hostile(int maxPieces) {
        return Arbitraries.of(PIECES).list().ofMaxSize(maxPieces)
                .withSizeDistribution(RandomDistribution.uniform())
                .map(pieces -> String.join("", pieces));
    }
}
