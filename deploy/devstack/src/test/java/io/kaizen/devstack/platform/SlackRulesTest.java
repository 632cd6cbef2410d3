package io.kaizen.devstack.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class SlackRulesTest {

    private final SlackRules rules = new SlackRules();

    @Test
    void aBlockKitMessageWithFallbackTextIsAnsweredOk() {
        JsonObject message = new JsonObject().put("text", "Deploy finished").put("blocks", new JsonArray()
                .add(header("Deploy"))
                .add(section("*done* in 3 s"))
                .add(new JsonObject().put("type", "section").put("fields", new JsonArray().add(mrkdwn("*Agent*\nbilling"))))
                .add(new JsonObject().put("type", "divider"))
                .add(new JsonObject().put("type", "actions").put("elements", new JsonArray().add(new JsonObject()
                        .put("type", "button").put("text", plain("View")).put("url", "https://example.com/i/1"))))
                .add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn("today")))));

        Answer answer = rules.answer(post(message.encode()));

        assertThat(answer).isEqualTo(new Answer(200, "text/html", "ok"));
    }

    @Test
    void textAloneIsEnough() {
        assertThat(rules.answer(post("{\"text\":\"hello\"}")).status()).isEqualTo(200);
    }

    @Test
    void fiftyBlocksPassAndFiftyOneAreInvalidBlocks() {
        assertThat(rules.answer(post(withSections(50, "x"))).status()).isEqualTo(200);

        assertThat(rules.answer(post(withSections(51, "x")))).isEqualTo(new Answer(400, "text/plain", "invalid_blocks"));
    }

    @Test
    void sectionTextIsLimitedTo3000CodePoints() {
        // 3,000 emoji are 6,000 UTF-16 units but 3,000 characters for Slack
        assertThat(rules.answer(post(withSections(1, "😀".repeat(3000)))).status()).isEqualTo(200);

        assertThat(rules.answer(post(withSections(1, "x".repeat(3001)))).body()).isEqualTo("invalid_blocks");
    }

    @Test
    void headerTextIsPlainTextOfAtMost150Characters() {
        assertThat(rules.answer(post(blocks(header("h".repeat(150))))).status()).isEqualTo(200);

        assertThat(rules.answer(post(blocks(header("h".repeat(151))))).body()).isEqualTo("invalid_blocks");
        JsonObject mrkdwnHeader = new JsonObject().put("type", "header").put("text", mrkdwn("*h*"));
        assertThat(rules.answer(post(blocks(mrkdwnHeader))).body()).isEqualTo("invalid_blocks");
    }

    @Test
    void sectionFieldsAreAtMostTenOfAtMost2000Characters() {
        JsonArray eleven = new JsonArray();
        for (int i = 0; i < 11; i++) {
            eleven.add(mrkdwn("f" + i));
        }
        assertThat(rules.answer(post(blocks(new JsonObject().put("type", "section").put("fields", eleven)))).body())
                .isEqualTo("invalid_blocks");
        JsonArray longField = new JsonArray().add(mrkdwn("v".repeat(2001)));
        assertThat(rules.answer(post(blocks(new JsonObject().put("type", "section").put("fields", longField)))).body())
                .isEqualTo("invalid_blocks");
    }

    @Test
    void unknownBlockTypesAndMalformedBlocksAreInvalidBlocks() {
        assertThat(rules.answer(post(blocks(new JsonObject().put("type", "marquee")))).body()).isEqualTo("invalid_blocks");
        assertThat(rules.answer(post(blocks(new JsonObject().put("type", "section")))).body()).isEqualTo("invalid_blocks");
        assertThat(rules.answer(post(blocks(section(" ")))).body()).isEqualTo("invalid_blocks");
        assertThat(rules.answer(post("{\"blocks\":[\"section\"]}")).body()).isEqualTo("invalid_blocks");
        assertThat(rules.answer(post("{\"blocks\":{\"type\":\"section\"}}")).body()).isEqualTo("invalid_blocks_format");
    }

    @Test
    void aMessageWithNeitherTextNorBlocksIsNoText() {
        assertThat(rules.answer(post("{}"))).isEqualTo(new Answer(400, "text/plain", "no_text"));
        assertThat(rules.answer(post("{\"text\":\"  \",\"blocks\":[]}")).body()).isEqualTo("no_text");
    }

    @Test
    void aBodyThatIsNotAJsonObjectIsAnInvalidPayload() {
        assertThat(rules.answer(post("payload=%7B%22text%22%7D"))).isEqualTo(new Answer(400, "text/plain", "invalid_payload"));
        assertThat(rules.answer(post("[1,2]")).body()).isEqualTo("invalid_payload");
        assertThat(rules.answer(post("{\"text\":")).body()).isEqualTo("invalid_payload");
    }

    @Test
    void fallbackTextOver40000CharactersIsTooLong() {
        assertThat(rules.answer(post(new JsonObject().put("text", "t".repeat(40_001)).encode())).body())
                .isEqualTo("msg_too_long");
    }

    private static String withSections(int count, String text) {
        JsonArray blocks = new JsonArray();
        for (int i = 0; i < count; i++) {
            blocks.add(section(text));
        }
        return new JsonObject().put("text", "fallback").put("blocks", blocks).encode();
    }

    private static String blocks(JsonObject block) {
        return new JsonObject().put("text", "fallback").put("blocks", new JsonArray().add(block)).encode();
    }

    private static JsonObject header(String text) {
        return new JsonObject().put("type", "header").put("text", plain(text));
    }

    private static JsonObject section(String text) {
        return new JsonObject().put("type", "section").put("text", mrkdwn(text));
    }

    private static JsonObject plain(String text) {
        return new JsonObject().put("type", "plain_text").put("text", text);
    }

    private static JsonObject mrkdwn(String text) {
        return new JsonObject().put("type", "mrkdwn").put("text", text);
    }

    static SinkRequest post(String body) {
        return new SinkRequest("POST", "/services/T000/B000/XXXX", null, Map.of("content-type", "application/json"), body,
                Instant.now());
    }
}
