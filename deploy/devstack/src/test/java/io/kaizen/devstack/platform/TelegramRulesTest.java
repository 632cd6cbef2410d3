package io.kaizen.devstack.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class TelegramRulesTest {

    private static final String PATH = "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage";

    private final TelegramRules rules = new TelegramRules();

    @Test
    void aWellFormedMarkdownMessageIsSentAndAnsweredWithTheMessageAsShown() {
        Answer answer = send(message("*Deploy* finished\\. Took 3\\.5 s \\(fast\\) \\\\o/"));

        assertThat(answer.status()).isEqualTo(200);
        JsonObject body = new JsonObject(answer.body());
        assertThat(body.getBoolean("ok")).isTrue();
        assertThat(body.getJsonObject("result").getString("text")).isEqualTo("Deploy finished. Took 3.5 s (fast) \\o/");
        assertThat(body.getJsonObject("result").getLong("message_id")).isPositive();
        assertThat(body.getJsonObject("result").getJsonObject("chat").getString("id")).isEqualTo("-1001234567890");
        assertThat(body.getJsonObject("result").getLong("date")).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "/botnotatoken/sendMessage", "/bot123:short/sendMessage", "/sendMessage", "/bot/sendMessage" })
    void aPathWithoutAWellFormedBotTokenIsUnauthorized(String path) {
        Answer answer = rules.answer(request(path, message("hi").encode()));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject()
                .put("ok", false).put("error_code", 401).put("description", "Unauthorized"));
    }

    @Test
    void aMissingChatIdOrTextIsABadRequest() {
        assertRefused(send(message("hi").put("chat_id", null)), "Bad Request: chat_id is empty");
        JsonObject noText = message("hi");
        noText.remove("text");
        assertRefused(send(noText), "Bad Request: message text is empty");
        assertRefused(send(message("  \n ")), "Bad Request: message text is empty");
    }

    @Test
    void aTextOver4096CharactersAfterEntityParsingIsTooLong() {
        assertThat(send(message("a".repeat(4096))).status()).isEqualTo(200);
        // markup does not count: 4,096 shown characters in bold pass
        assertThat(send(message("*" + "a".repeat(4096) + "*")).status()).isEqualTo(200);
        // an escape counts once: 4,096 dots written as 8,192 characters pass
        assertThat(send(message("\\.".repeat(4096))).status()).isEqualTo(200);

        assertRefused(send(message("a".repeat(4097))), "Bad Request: message is too long");
        assertRefused(send(message("😀".repeat(2048) + "a")), "Bad Request: message is too long");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "_", "*", "[", "]", "(", ")", "~", "`", ">", "#", "+", "-", "=", "|", "{", "}", ".", "!" })
    void anUnescapedReservedCharacterIsRefused(String reserved) {
        Answer answer = send(message("x " + reserved + " y"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new JsonObject(answer.body()).getString("description"))
                .startsWith("Bad Request: can't parse entities: ");
        assertThat(send(message("x \\" + reserved + " y")).status()).as("escaped").isEqualTo(200);
    }

    @Test
    void aBackslashThatEscapesNothingIsRefused() {
        assertRefused(send(message("ends with \\")),
                "Bad Request: can't parse entities: Character '\\' is reserved and must be escaped with the preceding '\\'");
        assertRefused(send(message("before \\é")),
                "Bad Request: can't parse entities: Character '\\' is reserved and must be escaped with the preceding '\\'");
        // the original's escaping bug: "\." escaped as "\\." leaves the dot bare
        assertRefused(send(message("path C:\\\\.")),
                "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\"*bold\"                  | Can't find end of Bold entity at byte offset 0",
            "\"a _italic\"              | Can't find end of Italic entity at byte offset 2",
            "\"é __underline\"          | Can't find end of Underline entity at byte offset 3",
            "\"~strike\"                | Can't find end of Strikethrough entity at byte offset 0",
            "\"||spoiler\"              | Can't find end of Spoiler entity at byte offset 0",
            "\"`code\"                  | Can't find end of Code entity at byte offset 0",
            "\"```pre\"                 | Can't find end of Pre entity at byte offset 0",
            "\"[link\"                  | Can't find end of TextUrl entity at byte offset 0",
            "\"[link](http://x.example\" | Can't find end of a URL at byte offset 7",
            "\"*bold _nested* \"        | Can't find end of Bold entity at byte offset 13"
    })
    void unbalancedEntitiesAreRefused(String text, String error) {
        assertRefused(send(message(text)), "Bad Request: can't parse entities: " + error);
    }

    @Test
    void everyEntityOfTheFormattingRulesIsUnderstood() {
        String text = "*bold \\*text* _italic_ __underline__ ~strike~ ||spoiler|| "
                + "*bold _italic bold ~strike ||spoiler||~ __underline italic bold___ bold* "
                + "[inline URL](http://www.example.com/a\\)b\\\\c) `code with . and \\` and \\\\` "
                + "```python\nprint(\"a.b\") # \\` \\\\\n```\n>quoted line";

        MarkdownV2.Parsed parsed = MarkdownV2.parse(text);

        assertThat(parsed.text()).isEqualTo("bold *text italic underline strike spoiler "
                + "bold italic bold strike spoiler underline italic bold bold "
                + "inline URL code with . and ` and \\ "
                + "print(\"a.b\") # ` \\\n\nquoted line");
        assertThat(parsed.entities()).extracting(MarkdownV2.Entity::type).contains("Bold", "Italic", "Underline",
                "Strikethrough", "Spoiler", "TextUrl", "Code", "Pre");
        assertThat(parsed.entities()).filteredOn(entity -> entity.type().equals("TextUrl"))
                .singleElement().extracting(MarkdownV2.Entity::url).isEqualTo("http://www.example.com/a)b\\c");
        assertThat(send(message(text)).status()).isEqualTo(200);
    }

    @Test
    void withoutAParseModeTheTextIsTakenAsItIs() {
        JsonObject plain = message("a.b_c*d \\ [");
        plain.remove("parse_mode");

        Answer answer = send(plain);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getJsonObject("result").getString("text")).isEqualTo("a.b_c*d \\ [");
        assertRefused(send(message("hi").put("parse_mode", "BBCode")), "Bad Request: unsupported parse_mode");
    }

    @Test
    void inlineKeyboardButtonsNeedATextAndAValidUrl() {
        assertThat(send(message("hi").put("reply_markup", keyboard(new JsonObject()
                .put("text", "View Invocation").put("url", "https://kaizen.studio/x")))).status()).isEqualTo(200);

        assertRefused(send(message("hi").put("reply_markup", keyboard(new JsonObject().put("url", "https://kaizen.studio/x")))),
                "Bad Request: can't parse inline keyboard button: Text must be non-empty");
        assertRefused(send(message("hi").put("reply_markup", keyboard(new JsonObject().put("text", "View")))),
                "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        assertRefused(send(message("hi").put("reply_markup", keyboard(new JsonObject().put("text", "View").put("url", "not a url")))),
                "Bad Request: inline keyboard button URL 'not a url' is invalid: Wrong HTTP URL");
        assertRefused(send(message("hi").put("reply_markup", new JsonObject().put("inline_keyboard", "x"))),
                "Bad Request: can't parse reply keyboard markup JSON object");
    }

    private Answer send(JsonObject body) {
        return rules.answer(request(PATH, body.encode()));
    }

    private static JsonObject message(String text) {
        return new JsonObject().put("chat_id", "-1001234567890").put("text", text).put("parse_mode", "MarkdownV2");
    }

    private static JsonObject keyboard(JsonObject button) {
        return new JsonObject().put("inline_keyboard", new JsonArray().add(new JsonArray().add(button)));
    }

    private static SinkRequest request(String path, String body) {
        return new SinkRequest("POST", path, null, Map.of("content-type", "application/json"), body, Instant.now());
    }

    private static void assertRefused(Answer answer, String description) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject()
                .put("ok", false).put("error_code", 400).put("description", description));
    }
}
