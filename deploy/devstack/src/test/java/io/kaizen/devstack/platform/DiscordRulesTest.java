package io.kaizen.devstack.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class DiscordRulesTest {

    private final DiscordRules rules = new DiscordRules();

    @Test
    void anEmbedIsAcceptedWith204AndNoBody() {
        Answer answer = rules.answer(post(null, message(embed())));

        assertThat(answer.status()).isEqualTo(204);
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void withWaitTrueTheCreatedMessageIsReturned() {
        JsonObject sent = message(embed()).put("username", "Kaizen");

        Answer answer = rules.answer(post("thread_id=9&wait=true", sent));

        assertThat(answer.status()).isEqualTo(200);
        JsonObject created = new JsonObject(answer.body());
        assertThat(created.getString("id")).isNotBlank();
        assertThat(created.getString("webhook_id")).isEqualTo("123");
        assertThat(created.getJsonObject("author").getString("username")).isEqualTo("Kaizen");
        assertThat(created.getJsonArray("embeds")).isEqualTo(sent.getJsonArray("embeds"));
    }

    @Test
    void moreThan25FieldsInAnEmbedIsInvalidFormBody() {
        JsonObject embed = embed();
        JsonArray fields = new JsonArray();
        for (int i = 0; i < 26; i++) {
            fields.add(new JsonObject().put("name", "n" + i).put("value", "v"));
        }
        embed.put("fields", fields);

        JsonObject error = rejected(message(embed));

        assertThat(error.getJsonObject("errors").getJsonObject("embeds").getJsonObject("0").getJsonObject("fields")
                .getJsonArray("_errors").getJsonObject(0).getString("code")).isEqualTo("BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void moreThan6000CharactersInAllEmbedsIsTooLarge() {
        JsonArray embeds = new JsonArray()
                .add(new JsonObject().put("description", "d".repeat(4000)))
                .add(new JsonObject().put("description", "d".repeat(2001)));

        JsonObject error = rejected(new JsonObject().put("embeds", embeds));

        assertThat(error.getJsonObject("errors").getJsonObject("embeds").getJsonArray("_errors").getJsonObject(0)
                .getString("code")).isEqualTo("MAX_EMBED_SIZE_EXCEEDED");
        JsonArray exactly6000 = new JsonArray()
                .add(new JsonObject().put("description", "d".repeat(4000)))
                .add(new JsonObject().put("description", "😀".repeat(2000)));
        assertThat(rules.answer(post(null, new JsonObject().put("embeds", exactly6000))).status()).isEqualTo(204);
    }

    @Test
    void eachEmbedTextIsLimited() {
        assertThat(errorAt(embed().put("title", "t".repeat(257)), "title")).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(errorAt(embed().put("description", "d".repeat(4097)), "description")).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(errorAt(embed().put("footer", new JsonObject().put("text", "f".repeat(2049))), "footer", "text"))
                .isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(errorAt(embed().put("author", new JsonObject().put("name", "a".repeat(257))), "author", "name"))
                .isEqualTo("BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void fieldNamesAndValuesAreLimitedAndRequired() {
        assertThat(errorAt(withField("n".repeat(257), "v"), "fields", "0", "name")).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(errorAt(withField("n", "v".repeat(1025)), "fields", "0", "value")).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(errorAt(withField("", "v"), "fields", "0", "name")).isEqualTo("BASE_TYPE_REQUIRED");
        assertThat(errorAt(withField("n", " "), "fields", "0", "value")).isEqualTo("BASE_TYPE_REQUIRED");
        assertThat(rules.answer(post(null, message(withField("n".repeat(256), "v".repeat(1024))))).status()).isEqualTo(204);
    }

    @Test
    void moreThanTenEmbedsIsInvalid() {
        JsonArray embeds = new JsonArray();
        for (int i = 0; i < 11; i++) {
            embeds.add(embed());
        }
        assertThat(rejected(new JsonObject().put("embeds", embeds)).getJsonObject("errors").getJsonObject("embeds")
                .getJsonArray("_errors").getJsonObject(0).getString("code")).isEqualTo("BASE_TYPE_MAX_LENGTH");
    }

    @Test
    void usernamesOver80CharactersOrNamingDiscordOrClydeAreRefused() {
        assertThat(usernameError("u".repeat(81))).isEqualTo("BASE_TYPE_BAD_LENGTH");
        assertThat(usernameError("My Discord bot")).isEqualTo("USERNAME_INVALID_CONTAINS");
        assertThat(usernameError("CLYDE")).isEqualTo("USERNAME_INVALID_CONTAINS");
        assertThat(rules.answer(post(null, message(embed()).put("username", "u".repeat(80)))).status()).isEqualTo(204);
    }

    @Test
    void contentOver2000CharactersIsInvalid() {
        JsonObject error = rejected(new JsonObject().put("content", "c".repeat(2001)));

        assertThat(error.getJsonObject("errors").getJsonObject("content").getJsonArray("_errors").getJsonObject(0)
                .getString("code")).isEqualTo("BASE_TYPE_MAX_LENGTH");
        assertThat(rules.answer(post(null, new JsonObject().put("content", "c".repeat(2000)))).status()).isEqualTo(204);
    }

    @Test
    void nothingToSendIsAnEmptyMessage() {
        Answer answer = rules.answer(post(null, new JsonObject().put("embeds", new JsonArray())));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject()
                .put("message", "Cannot send an empty message").put("code", 50006));
    }

    @Test
    void aBodyThatIsNotJsonIsRefused() {
        Answer answer = rules.answer(new SinkRequest("POST", "/api/webhooks/123/token", null, Map.of(), "{embeds", Instant.now()));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new JsonObject(answer.body()).getInteger("code")).isEqualTo(50109);
    }

    private String usernameError(String username) {
        return rejected(message(embed()).put("username", username)).getJsonObject("errors").getJsonObject("username")
                .getJsonArray("_errors").getJsonObject(0).getString("code");
    }

    private String errorAt(JsonObject embed, String... path) {
        JsonObject node = rejected(message(embed)).getJsonObject("errors").getJsonObject("embeds").getJsonObject("0");
        for (String key : path) {
            node = node.getJsonObject(key);
        }
        return node.getJsonArray("_errors").getJsonObject(0).getString("code");
    }

    private JsonObject rejected(JsonObject message) {
        Answer answer = rules.answer(post(null, message));
        assertThat(answer.status()).isEqualTo(400);
        JsonObject body = new JsonObject(answer.body());
        assertThat(body.getInteger("code")).isEqualTo(50035);
        assertThat(body.getString("message")).isEqualTo("Invalid Form Body");
        return body;
    }

    private static JsonObject withField(String name, String value) {
        return embed().put("fields", new JsonArray().add(new JsonObject().put("name", name).put("value", value)));
    }

    private static JsonObject embed() {
        return new JsonObject().put("title", "Deploy").put("description", "done").put("color", 0x2EB67D)
                .put("timestamp", "2026-01-02T03:04:05Z");
    }

    private static JsonObject message(JsonObject embed) {
        return new JsonObject().put("embeds", new JsonArray().add(embed));
    }

    private static SinkRequest post(String query, JsonObject body) {
        return new SinkRequest("POST", "/api/webhooks/123/token", query, Map.of("content-type", "application/json"),
                body.encode(), Instant.now());
    }
}
