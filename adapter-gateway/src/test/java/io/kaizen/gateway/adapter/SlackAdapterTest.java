package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SlackAdapterTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final SlackAdapter adapter = new SlackAdapter(mapper);

    @Test
    void longTextIsSplitOverSectionsOfAtMost3000CharactersAndNothingIsLost() throws Exception {
        String text = "word ".repeat(1500);

        List<String> sections = sectionTexts(render(new PlatformMessage("", text, null, List.of(), null, Instant.EPOCH)));

        assertThat(sections).hasSize(3).allSatisfy(section -> assertThat(section.length()).isLessThanOrEqualTo(3000));
        assertThat(String.join("", sections)).isEqualTo(text);
    }

    @Test
    void textBeyondTwelveSectionsIsCutWithAnEllipsis() throws Exception {
        JsonNode payload = render(new PlatformMessage("", "x".repeat(50_000), null, List.of(), null, Instant.EPOCH));

        List<String> sections = sectionTexts(payload);
        assertThat(sections).hasSize(SlackAdapter.MAX_TEXT_SECTIONS);
        assertThat(sections.get(sections.size() - 1)).endsWith("…").hasSize(3000);
    }

    @Test
    void mentionsAndLinksInTextAreEscapedNotSent() throws Exception {
        JsonNode payload = render(new PlatformMessage("", "<!channel> <https://evil.test|click> & *bold*", null,
                List.of(), null, Instant.EPOCH));

        String section = sectionTexts(payload).get(0);
        assertThat(section).startsWith("&lt;!channel&gt; &lt;https://evil.test|click&gt; &amp; ")
                .doesNotContain("<").contains("\u200B*\u200Bbold\u200B*\u200B");
        assertThat(payload.path("text").asText()).doesNotContain("<!channel>");
    }

    @Test
    void factsBeyondFiftyAreCountedInALastField() throws Exception {
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            facts.add(new PlatformMessage.Fact("n" + i, "v" + i));
        }

        JsonNode payload = render(new PlatformMessage("", "", null, facts, null, Instant.EPOCH));

        List<JsonNode> fieldSections = new ArrayList<>();
        payload.path("blocks").forEach(block -> {
            if (block.has("fields")) {
                fieldSections.add(block.path("fields"));
            }
        });
        assertThat(fieldSections).hasSize(SlackAdapter.MAX_FACT_SECTIONS)
                .allSatisfy(fields -> assertThat(fields.size()).isEqualTo(10));
        assertThat(fieldSections.get(4).get(9).path("text").asText()).isEqualTo("_… and 11 more_");
    }

    @Test
    void aTitleLongerThan150CharactersIsCutInTheHeader() throws Exception {
        JsonNode header = render(new PlatformMessage("t".repeat(400), "", null, List.of(), null, Instant.EPOCH))
                .path("blocks").get(0);

        assertThat(header.path("type").asText()).isEqualTo("header");
        assertThat(header.path("text").path("text").asText()).isEqualTo("t".repeat(149) + "…");
    }

    private JsonNode render(PlatformMessage message) throws Exception {
        return mapper.readTree(adapter.render(PlatformFixtures.agent("slack", Map.of("webhook_url", "https://hooks.slack.test/x")),
                message).body());
    }

    private static List<String> sectionTexts(JsonNode payload) {
        List<String> texts = new ArrayList<>();
        payload.path("blocks").forEach(block -> {
            if (block.path("type").asText().equals("section") && block.has("text")) {
                texts.add(block.path("text").path("text").asText());
            }
        });
        return texts;
    }
}
