package io.kaizen.gateway.adapter;

import static io.kaizen.gateway.adapter.PlatformFixtures.DATABASE_ID;
import static io.kaizen.gateway.adapter.PlatformFixtures.GOLDEN;
import static io.kaizen.gateway.adapter.PlatformFixtures.NOTION_TOKEN;
import static io.kaizen.gateway.adapter.PlatformFixtures.notionAgent;
import static io.kaizen.gateway.adapter.PlatformFixtures.received;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.platform.NotionRules;
import io.vertx.mutiny.core.buffer.Buffer;

class NotionAdapterTest {

    private final ObjectMapper mapper = new ObjectMapper();
    private final NotionAdapter adapter = new NotionAdapter(mapper);
    private final NotionRules notion = new NotionRules();

    @Test
    void theGoldenMessageBecomesTheGoldenPage() throws Exception {
        OutboundRequest request = adapter.render(notionAgent("https://api.notion.com"), GOLDEN);

        assertThat(request.url()).isEqualTo("https://api.notion.com/v1/pages");
        assertThat(request.headers()).containsEntry("Content-Type", "application/json")
                .containsEntry("Notion-Version", "2022-06-28")
                .containsEntry("Authorization", "Bearer " + NOTION_TOKEN);
        assertThat(mapper.readTree(request.body())).isEqualTo(mapper.readTree(PlatformFixtures.golden("notion-page.json")));
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void theVersionAndTheBearerCredentialsComeFromTheAgent() {
        var agent = PlatformFixtures.agent("notion", "http://127.0.0.1:9/",
                Map.of("database_id", DATABASE_ID, "notion_version", "2025-09-03"), "bearer_token",
                Map.of("token", "secret_from_credentials_0123456789"));

        OutboundRequest request = adapter.render(agent, GOLDEN);

        assertThat(request.url()).isEqualTo("http://127.0.0.1:9/v1/pages");
        assertThat(request.headers()).containsEntry("Notion-Version", "2025-09-03")
                .containsEntry("Authorization", "Bearer secret_from_credentials_0123456789");
    }

    @Test
    void aTextIsCutInto2000CharacterParagraphsBetweenCharacters() throws Exception {
        // 2,500 emoji are 5,000 UTF-16 units: a pair must not straddle the 2,000 boundary
        String text = "a" + "😀".repeat(2500);

        OutboundRequest request = adapter.render(notionAgent(null), message(text, List.of()));

        List<String> paragraphs = paragraphs(request);
        assertThat(paragraphs).hasSize(3);
        assertThat(paragraphs).allSatisfy(piece -> {
            assertThat(piece.length()).isLessThanOrEqualTo(2000);
            assertThat(MessageText.wellFormed(piece)).isEqualTo(piece);
        });
        assertThat(String.join("", paragraphs)).isEqualTo(text);
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void aTextBeyond100ParagraphsIsShortenedDeliberately() throws Exception {
        String text = "x".repeat(250_000);

        OutboundRequest request = adapter.render(notionAgent(null), message(text, List.of()));

        List<String> paragraphs = paragraphs(request);
        assertThat(paragraphs).hasSize(NotionAdapter.MAX_BLOCKS);
        assertThat(paragraphs.get(99)).endsWith("…").hasSize(2000);
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void aTextOfCharactersThatGrowInJsonStaysUnderNotionsRequestSize() {
        // control characters are 6-byte escapes: 200,000 of them would be 1.2 MB; facts of them another 600 KB
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            facts.add(new PlatformMessage.Fact("\u0001".repeat(100), "\u0001".repeat(2000)));
        }
        PlatformMessage message = new PlatformMessage("\"".repeat(2000), "\u0001\"中".repeat(70_000),
                PlatformMessage.Status.FAILED, facts, null, Instant.parse("2026-12-03T17:24:21Z"));

        OutboundRequest request = adapter.render(notionAgent(null), message);

        assertThat(request.body().length).isLessThanOrEqualTo(NotionRules.MAX_PAYLOAD_BYTES);
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void factsBeyondTheirShareLeaveRoomForTheText() throws Exception {
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            facts.add(new PlatformMessage.Fact("Fact " + i, "v".repeat(3000)));
        }

        OutboundRequest request = adapter.render(notionAgent(null), message("the text", facts));

        JsonNode children = mapper.readTree(request.body()).path("children");
        assertThat(children).hasSize(NotionAdapter.MAX_FACT_BLOCKS + 1);
        assertThat(children.get(NotionAdapter.MAX_FACT_BLOCKS).path("paragraph").path("rich_text").get(0)
                .path("text").path("content").asText()).isEqualTo("the text");
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void everyRequiredColumnIsFilledForAPlainInput() throws Exception {
        AgentCall call = new AgentCall(notionAgent(null), "inv_42", "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                "org_1", "just text", Map.of(), Map.of());

        OutboundRequest request = adapter.format(call);

        JsonNode properties = mapper.readTree(request.body()).path("properties");
        assertThat(properties.path("Name").path("title").get(0).path("text").path("content").asText()).isEqualTo("just text");
        assertThat(properties.path("Status").path("select").path("name").asText()).isEqualTo("Info");
        assertThat(properties.path("Agent ID").path("rich_text").get(0).path("text").path("content").asText()).isEqualTo("agt_notion");
        assertThat(properties.path("Invocation ID").path("rich_text").get(0).path("text").path("content").asText()).isEqualTo("inv_42");
        assertThat(properties.path("Execution Time (ms)").has("number")).isTrue();
        assertThat(properties.path("Execution Time (ms)").path("number").isNull()).isTrue();
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void aFactThatIsNotANumberIsShownInsteadOfFillingTheNumberColumn() throws Exception {
        PlatformMessage message = message("x", List.of(new PlatformMessage.Fact("Execution Time (ms)", "about 3 s")));

        OutboundRequest request = adapter.render(notionAgent(null), message);

        JsonNode page = mapper.readTree(request.body());
        assertThat(page.path("properties").path("Execution Time (ms)").path("number").isNull()).isTrue();
        assertThat(page.path("children").get(0).path("paragraph").path("rich_text").get(1).path("text").path("content")
                .asText()).isEqualTo("about 3 s");
        assertThat(notion.answer(received(request)).status()).isEqualTo(200);
    }

    @Test
    void withoutADatabaseTheAgentCannotBeReached() {
        var agent = PlatformFixtures.agent("notion", null, Map.of("token", NOTION_TOKEN), "none", Map.of());

        assertThatThrownBy(() -> adapter.render(agent, GOLDEN)).isInstanceOf(UpstreamException.class)
                .hasMessage("the notion agent has no database_id in its platform_config");
    }

    @Test
    void theCreatedPageIsTheOutput() {
        Answer answer = notion.answer(received(adapter.render(notionAgent(null), GOLDEN)));

        AgentReply reply = adapter.read(new OutboundHttp.Reply(200, "application/json", Buffer.buffer(answer.body())));

        assertThat(reply.output().path("object").asText()).isEqualTo("page");
        assertThat(reply.output().path("url").asText()).startsWith("https://www.notion.so/");
        assertThat(reply.reportedCostUsd()).isNull();
        assertThat(reply.reportedTokens()).isFalse();
    }

    private static PlatformMessage message(String text, List<PlatformMessage.Fact> facts) {
        return new PlatformMessage("Title", text, PlatformMessage.Status.PENDING, facts, null,
                Instant.parse("2026-12-03T17:24:21Z"));
    }

    private List<String> paragraphs(OutboundRequest request) throws Exception {
        List<String> pieces = new ArrayList<>();
        mapper.readTree(request.body()).path("children").forEach(block ->
                pieces.add(block.path("paragraph").path("rich_text").get(0).path("text").path("content").asText()));
        return pieces;
    }
}
