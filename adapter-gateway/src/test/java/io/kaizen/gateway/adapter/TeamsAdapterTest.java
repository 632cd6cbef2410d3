package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.problem.ProblemException;

class TeamsAdapterTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final TeamsAdapter adapter = new TeamsAdapter(mapper);

    @Test
    void aMessageFarOver28KbShrinksUntilItFitsAndSaysSo() throws Exception {
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            facts.add(new PlatformMessage.Fact("名前" + i, "値".repeat(2000)));
        }
        PlatformMessage huge = new PlatformMessage("題".repeat(1000), "本文".repeat(50_000), null, facts, null, Instant.EPOCH);

        for (String format : List.of("adaptive_card", "message_card")) {
            byte[] body = adapter.render(PlatformFixtures.agent("teams", Map.of("webhook_url", "https://teams.test/w",
                    "card_format", format)), huge).body();

            assertThat(body.length).as(format).isLessThanOrEqualTo(TeamsAdapter.MAX_PAYLOAD_BYTES);
            assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8)).as(format).contains("本文…");
        }
    }

    @Test
    void aSmallMessageIsNotShortened() throws Exception {
        JsonNode card = mapper.readTree(adapter.render(PlatformFixtures.agent("teams", Map.of("webhook_url", "https://teams.test/w")),
                new PlatformMessage("", "text ".repeat(3000), null, List.of(), null, Instant.EPOCH)).body())
                .path("attachments").get(0).path("content");

        assertThat(card.path("body").get(1).path("text").asText()).isEqualTo("text ".repeat(3000).strip());
    }

    @Test
    void anAgentWithoutAWebhookUrlIsAConflictNotAServerError() {
        assertThatThrownBy(() -> adapter.render(PlatformFixtures.agent("teams", Map.of()), PlatformFixtures.sample()))
                .isInstanceOfSatisfying(ProblemException.class, problem -> assertThat(problem.status()).isEqualTo(409))
                .hasMessageNotContaining("http");
    }
}
