package io.kaizen.gateway.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Each platform's rendering of one fixed message, byte for byte as JSON, against src/test/resources/golden/. */
class GoldenPayloadTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void slackBlockKitMessage() throws IOException {
        OutboundRequest request = new SlackAdapter(mapper).render(PlatformFixtures.agent("slack",
                Map.of("webhook_url", "https://hooks.slack.com/services/T1/B1/secret")), PlatformFixtures.sample());

        assertThat(request.url()).isEqualTo("https://hooks.slack.com/services/T1/B1/secret");
        assertThat(request.headers()).containsEntry("Content-Type", "application/json");
        assertGolden("slack.json", request);
    }

    @Test
    void discordEmbed() throws IOException {
        OutboundRequest request = new DiscordAdapter(mapper).render(PlatformFixtures.agent("discord", Map.of(
                "webhook_url", "https://discord.com/api/webhooks/123/secret", "username", "Kaizen Studio",
                "avatar_url", "https://kaizen.studio/logo.png", "footer_icon_url", "https://kaizen.studio/icon.png")),
                PlatformFixtures.sample());

        assertThat(request.url()).isEqualTo("https://discord.com/api/webhooks/123/secret?wait=true");
        assertGolden("discord.json", request);
    }

    @Test
    void teamsAdaptiveCardByDefault() throws IOException {
        OutboundRequest request = new TeamsAdapter(mapper).render(PlatformFixtures.agent("teams",
                Map.of("webhook_url", "https://prod-01.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s")),
                PlatformFixtures.sample());

        assertThat(request.url()).isEqualTo("https://prod-01.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s");
        assertGolden("teams-adaptive-card.json", request);
    }

    @Test
    void teamsMessageCardWhenConfigured() throws IOException {
        OutboundRequest request = new TeamsAdapter(mapper).render(PlatformFixtures.agent("teams", Map.of(
                "webhook_url", "https://example.webhook.office.com/webhookb2/x/IncomingWebhook/y/z",
                "card_format", "message_card")), PlatformFixtures.sample());

        assertGolden("teams-message-card.json", request);
    }

    private void assertGolden(String name, OutboundRequest request) throws IOException {
        JsonNode actual = mapper.readTree(request.body());
        try (InputStream golden = getClass().getResourceAsStream("/golden/" + name)) {
            if (golden == null) {
                fail("no golden/" + name + "; the payload is:\n" + mapper.writerWithDefaultPrettyPrinter().writeValueAsString(actual));
            }
            assertThat(actual).isEqualTo(mapper.readTree(golden));
        }
    }
}
