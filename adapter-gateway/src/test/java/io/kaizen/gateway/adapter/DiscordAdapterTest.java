package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class DiscordAdapterTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final DiscordAdapter adapter = new DiscordAdapter(mapper);

    @Test
    void aUsernameDiscordWouldRefuseIsLeftOutForTheWebhooksOwn() throws Exception {
        assertThat(render(Map.of("username", "Our Discord Bot"), message("hi")).has("username")).isFalse();
        assertThat(render(Map.of("username", "clyde"), message("hi")).has("username")).isFalse();
        assertThat(render(Map.of("username", "u".repeat(100)), message("hi")).path("username").asText())
                .hasSize(80).endsWith("…");
    }

    @Test
    void waitIsAskedForOnceWhateverTheWebhookUrlCarries() {
        assertThat(DiscordAdapter.withWait("https://discord.com/api/webhooks/1/t")).isEqualTo("https://discord.com/api/webhooks/1/t?wait=true");
        assertThat(DiscordAdapter.withWait("https://discord.com/api/webhooks/1/t?thread_id=9"))
                .isEqualTo("https://discord.com/api/webhooks/1/t?thread_id=9&wait=true");
        assertThat(DiscordAdapter.withWait("https://discord.com/api/webhooks/1/t?wait=false&thread_id=9"))
                .isEqualTo("https://discord.com/api/webhooks/1/t?wait=true&thread_id=9");
    }

    @Test
    void moreThan25FactsKeep24FieldsAndCountTheRest() throws Exception {
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            facts.add(new PlatformMessage.Fact("n" + i, "v" + i));
        }

        JsonNode fields = render(Map.of(), new PlatformMessage("", "", null, facts, null, Instant.EPOCH))
                .path("embeds").get(0).path("fields");

        assertThat(fields.size()).isEqualTo(25);
        assertThat(fields.get(24).path("value").asText()).isEqualTo("16 more");
    }

    @Test
    void theDescriptionIsCutAt4096CharactersWithAnEllipsis() throws Exception {
        String description = render(Map.of(), message("😀".repeat(5000))).path("embeds").get(0).path("description").asText();

        assertThat(description).endsWith("😀…").hasSizeLessThanOrEqualTo(4096);
    }

    @Test
    void markdownAndMentionsAreMadeLiteral() throws Exception {
        String description = render(Map.of(), message("**bold** <@123> [x](https://evil.test) \\o/"))
                .path("embeds").get(0).path("description").asText();

        assertThat(description).isEqualTo("\\*\\*bold\\*\\* \\<@123\\> \\[x\\]\\(https://evil.test\\) \\\\o/");
    }

    @Test
    void blankFactsStillMakeFieldsDiscordAccepts() throws Exception {
        JsonNode field = render(Map.of(), new PlatformMessage("", "", null, List.of(new PlatformMessage.Fact(" ", null)),
                null, Instant.EPOCH)).path("embeds").get(0).path("fields").get(0);

        assertThat(field.path("name").asText()).isEqualTo("—");
        assertThat(field.path("value").asText()).isEqualTo("—");
    }

    private static PlatformMessage message(String text) {
        return new PlatformMessage("", text, null, List.of(), null, Instant.EPOCH);
    }

    private JsonNode render(Map<String, Object> config, PlatformMessage message) throws Exception {
        Map<String, Object> full = new java.util.HashMap<>(config);
        full.put("webhook_url", "https://discord.test/api/webhooks/1/t");
        return mapper.readTree(adapter.render(PlatformFixtures.agent("discord", full), message).body());
    }
}
