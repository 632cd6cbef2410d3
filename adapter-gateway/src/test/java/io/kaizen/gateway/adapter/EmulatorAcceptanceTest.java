package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.kaizen.devstack.platform.DiscordRules;
import io.kaizen.devstack.platform.SlackRules;
import io.kaizen.devstack.platform.TeamsRules;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Whatever the message (very long, emoji and combining marks, markup of every platform, many facts), each adapter's
 * rendering is accepted by its platform's emulator rules, and is well-formed UTF-8 (no surrogate pair split).
 */
class EmulatorAcceptanceTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Property(tries = 200)
    void slackAcceptsEveryRenderedMessage(@ForAll("messages") PlatformMessage message, @ForAll("slackConfigs") Map<String, Object> config) {
        assertAccepted(new SlackRules(), new SlackAdapter(mapper).render(PlatformAgents.agent("slack", config), message));
    }

    @Property(tries = 200)
    void discordAcceptsEveryRenderedMessage(@ForAll("messages") PlatformMessage message,
            @ForAll("discordConfigs") Map<String, Object> config) {
        assertAccepted(new DiscordRules(), new DiscordAdapter(mapper).render(PlatformAgents.agent("discord", config), message));
    }

    @Property(tries = 200)
    void teamsAcceptsEveryRenderedCard(@ForAll("messages") PlatformMessage message, @ForAll("teamsConfigs") Map<String, Object> config) {
        assertAccepted(new TeamsRules(), new TeamsAdapter(mapper).render(PlatformAgents.agent("teams", config), message));
    }

    private static void assertAccepted(PlatformRules rules, OutboundRequest request) {
        String body = strictUtf8(request.body());
        URI url = URI.create(request.url());
        PlatformRules.Answer answer = rules.answer(new SinkRequest("POST", url.getRawPath(), url.getRawQuery(),
                Map.of("content-type", "application/json"), body, Instant.now()));
        assertThat(answer.accepted()).as("%s answered %s %s", rules.platform(), answer.status(), answer.body()).isTrue();
    }

    private static String strictUtf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("the payload is not well-formed UTF-8", e);
        }
    }

    @Provide
    Arbitrary<PlatformMessage> messages() {
        Arbitrary<PlatformMessage.Fact> fact = Combinators.combine(
                Arbitraries.frequencyOf(Tuple.of(4, texts(20)), Tuple.of(1, texts(300))),
                Arbitraries.frequencyOf(Tuple.of(4, texts(40)), Tuple.of(1, texts(3000))).injectNull(0.05))
                .as(PlatformMessage.Fact::new);
        // now and then a text far beyond any platform's message size
        Arbitrary<String> huge = Combinators.combine(Arbitraries.of("ab 😀 & *x*\n", "e\u0301<>_~`|".repeat(3), "word "),
                Arbitraries.integers().between(10_000, 20_000)).as(String::repeat);
        return Combinators.combine(texts(600).injectNull(0.1),
                Arbitraries.frequencyOf(Tuple.of(9, texts(60_000)), Tuple.of(1, huge)),
                Arbitraries.of(PlatformMessage.Status.class), fact.list().ofMaxSize(70).withSizeDistribution(RandomDistribution.uniform()),
                Arbitraries.of("https://studio.example.com/i/1", "javascript:alert(1)", "not a url",
                        "https://x.test/" + "p".repeat(3100)).injectNull(0.3),
                Arbitraries.longs().between(0, 4_000_000_000L).map(Instant::ofEpochSecond))
                .as(PlatformMessage::new);
    }

    @Provide
    Arbitrary<Map<String, Object>> slackConfigs() {
        return Arbitraries.of("#general", "@someone").injectNull(0.5).map(channel -> config("channel", channel));
    }

    @Provide
    Arbitrary<Map<String, Object>> discordConfigs() {
        return Arbitraries.of("Kaizen Studio", "My Discord bot", "clyde", "u".repeat(80), "😀".repeat(80), " x ")
                .injectNull(0.3).map(name -> config("username", name));
    }

    @Provide
    Arbitrary<Map<String, Object>> teamsConfigs() {
        return Arbitraries.of("adaptive_card", "message_card").injectNull(0.3).map(format -> config("card_format", format));
    }

    private static Map<String, Object> config(String key, String value) {
        Map<String, Object> config = new HashMap<>();
        config.put("webhook_url", "https://hooks.example.com/api/webhooks/123/token");
        if (value != null) {
            config.put(key, value);
        }
        return config;
    }

    /**
     * Texts built from pieces that stress a platform: markup characters of Slack, Discord and Teams, emoji (surrogate
     * pairs, ZWJ sequences, flags), combining marks, CJK, controls, unpaired surrogates, blanks, and long runs.
     */
    private static Arbitrary<String> texts(int maxChars) {
        Arbitrary<String> markup = Arbitraries.strings().withChars("&<>*_~`|\\[](){}#-+.!:@\"'\n\t ").ofMaxLength(20);
        Arbitrary<String> words = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(w -> w + " ");
        Arbitrary<String> special = Arbitraries.of("😀", "👩‍👩‍👧", "🇯🇵", "e\u0301", "a\u0300\u0301\u0302\u0303",
                "中文字符", "\uD800", "\uDC00", "\u0000", "\u200B", "<!channel>", "@everyone", "&amp;", "\r\n",
                "x\u0301".repeat(200), "   ");
        Arbitrary<String> runs = Combinators.combine(Arbitraries.of("a", "😀", "&", "*", " ", "\n", "é", "ab "),
                Arbitraries.integers().between(1, 8000)).as(String::repeat);
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(4, words), Tuple.of(3, markup), Tuple.of(3, special),
                Tuple.of(1, runs));
        return piece.list().ofMaxSize(60).withSizeDistribution(RandomDistribution.uniform()).map(pieces -> {
            String text = String.join("", pieces);
            return text.length() <= maxChars ? text : text.substring(0, maxChars);
        });
    }
}
