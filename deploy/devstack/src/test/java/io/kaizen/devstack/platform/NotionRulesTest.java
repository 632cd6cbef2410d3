package io.kaizen.devstack.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class NotionRulesTest {

    private static final String DATABASE = "abc123def4564789a0b1c2d3e4f5a6b7";

    private final NotionRules rules = new NotionRules();

    @Test
    void aPageWithTheDatabasesPropertiesIsCreated() {
        Answer answer = send(page());

        assertThat(answer.status()).isEqualTo(200);
        JsonObject created = new JsonObject(answer.body());
        assertThat(created.getString("object")).isEqualTo("page");
        assertThat(created.getString("id")).matches("[0-9a-f-]{36}");
        assertThat(created.getString("url")).isEqualTo("https://www.notion.so/" + created.getString("id").replace("-", ""));
        assertThat(created.getJsonObject("parent").getString("database_id")).isEqualTo(DATABASE);
    }

    @Test
    void withoutABearerTokenTheRequestIsUnauthorized() {
        Map<String, String> headers = new HashMap<>(headers());
        headers.remove("authorization");
        assertError(rules.answer(request("/v1/pages", headers, page().encode())), 401, "unauthorized", "API token is invalid.");

        headers.put("authorization", "Basic dXNlcjpwYXNz");
        assertError(rules.answer(request("/v1/pages", headers, page().encode())), 401, "unauthorized", "API token is invalid.");
    }

    @Test
    void withoutANotionVersionTheRequestIsRefused() {
        Map<String, String> headers = new HashMap<>(headers());
        headers.remove("notion-version");

        assertError(rules.answer(request("/v1/pages", headers, page().encode())), 400, "missing_version",
                "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.");
    }

    @Test
    void aPageNeedsADatabaseParent() {
        assertValidation(send(page().put("parent", new JsonObject().put("page_id", DATABASE))),
                "body failed validation: body.parent.database_id should be defined, instead was `undefined`.");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "Name", "Status", "Agent ID", "Execution Time (ms)", "Invoked At" })
    void everyRequiredPropertyOfTheDatabaseMustBeSet(String property) {
        JsonObject page = page();
        page.getJsonObject("properties").remove(property);

        assertValidation(send(page), property + " is a required property of this database and is not provided.");
    }

    @Test
    void theSchemaIsTheEmulatedDatabases() {
        NotionRules tasks = new NotionRules(List.of(new NotionRules.Property("Task", NotionRules.Type.TITLE, true)));
        JsonObject page = new JsonObject().put("parent", new JsonObject().put("database_id", DATABASE))
                .put("properties", new JsonObject().put("Task", new JsonObject().put("title", text("write"))));

        assertThat(tasks.answer(request("/v1/pages", headers(), page.encode())).status()).isEqualTo(200);
        assertThat(tasks.answer(request("/v1/pages", headers(), page().encode())).body())
                .contains("Task is a required property of this database and is not provided.");
    }

    @Test
    void aPropertyTheDatabaseDoesNotHaveOrOfTheWrongTypeIsRefused() {
        JsonObject unknown = page();
        unknown.getJsonObject("properties").put("Owner", new JsonObject().put("rich_text", text("x")));
        assertValidation(send(unknown), "Owner is not a property that exists.");

        JsonObject wrongType = page();
        wrongType.getJsonObject("properties").put("Status", new JsonObject().put("rich_text", text("Success")));
        assertValidation(send(wrongType), "Status is expected to be select.");

        JsonObject notANumber = page();
        notANumber.getJsonObject("properties").put("Execution Time (ms)", new JsonObject().put("number", "12"));
        assertValidation(send(notANumber),
                "body failed validation: body.properties.Execution Time (ms).number should be a number or `null`, instead was `12`.");

        JsonObject notADate = page();
        notADate.getJsonObject("properties").put("Invoked At", new JsonObject().put("date", new JsonObject().put("start", "yesterday")));
        assertValidation(send(notADate), "body failed validation: body.properties.Invoked At.date.start should be an ISO 8601 date string.");
    }

    @Test
    void textContentOver2000CharactersIsRefused() {
        JsonObject fits = page();
        fits.getJsonObject("properties").put("Agent ID", new JsonObject().put("rich_text", text("a".repeat(2000))));
        assertThat(send(fits).status()).isEqualTo(200);

        JsonObject title = page();
        title.getJsonObject("properties").put("Name", new JsonObject().put("title", text("a".repeat(2001))));
        assertValidation(send(title),
                "body failed validation: body.properties.Name.title[0].text.content.length should be ≤ `2000`, instead was `2001`.");

        JsonObject paragraph = page().put("children", new JsonArray().add(paragraph("😀".repeat(1000) + "a")));
        assertValidation(send(paragraph),
                "body failed validation: body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.");
    }

    @Test
    void arraysOver100ElementsAreRefused() {
        JsonArray hundredTexts = new JsonArray();
        JsonArray hundredAndOneTexts = new JsonArray();
        JsonArray hundredBlocks = new JsonArray();
        JsonArray hundredAndOneBlocks = new JsonArray();
        for (int i = 0; i < 101; i++) {
            JsonObject element = text("part " + i).getJsonObject(0);
            hundredAndOneTexts.add(element);
            hundredAndOneBlocks.add(paragraph("block " + i));
            if (i < 100) {
                hundredTexts.add(element);
                hundredBlocks.add(paragraph("block " + i));
            }
        }
        JsonObject fits = page().put("children", hundredBlocks);
        fits.getJsonObject("properties").put("Agent ID", new JsonObject().put("rich_text", hundredTexts));
        assertThat(send(fits).status()).isEqualTo(200);

        JsonObject richText = page();
        richText.getJsonObject("properties").put("Agent ID", new JsonObject().put("rich_text", hundredAndOneTexts));
        assertValidation(send(richText),
                "body failed validation: body.properties.Agent ID.rich_text.length should be ≤ `100`, instead was `101`.");

        assertValidation(send(page().put("children", hundredAndOneBlocks)),
                "body failed validation: body.children.length should be ≤ `100`, instead was `101`.");
    }

    @Test
    void aBodyOver500KilobytesIsRefused() {
        JsonObject page = page();
        String padding = "a".repeat(NotionRules.MAX_PAYLOAD_BYTES - page.encode().length() - "\"padding\":\"\",".length());
        assertThat(send(page.copy().put("padding", padding)).status()).as("exactly 500,000 bytes")
                .isEqualTo(200);

        String tooLarge = page.copy().put("padding", padding + "é").encode();
        assertValidation(rules.answer(request("/v1/pages", headers(), tooLarge)),
                "Request body too large: 500002 bytes, the limit is 500000.");
    }

    @Test
    void anotherPathIsAnInvalidRequestUrl() {
        assertError(rules.answer(request("/v1/databases", headers(), page().encode())), 400, "invalid_request_url",
                "Invalid request URL.");
    }

    private Answer send(JsonObject page) {
        return rules.answer(request("/v1/pages", headers(), page.encode()));
    }

    private static JsonObject page() {
        return new JsonObject()
                .put("parent", new JsonObject().put("database_id", DATABASE))
                .put("properties", new JsonObject()
                        .put("Name", new JsonObject().put("title", text("Invocation inv_0001")))
                        .put("Status", new JsonObject().put("select", new JsonObject().put("name", "Success")))
                        .put("Agent ID", new JsonObject().put("rich_text", text("agt_123")))
                        .put("Invocation ID", new JsonObject().put("rich_text", text("inv_0001")))
                        .put("Execution Time (ms)", new JsonObject().put("number", 123))
                        .put("Invoked At", new JsonObject().put("date", new JsonObject().put("start", "2026-12-03T17:24:21Z")))
                        .put("Link", new JsonObject().put("url", "https://kaizen.studio/x")))
                .put("children", new JsonArray().add(paragraph("Done.")));
    }

    private static JsonArray text(String content) {
        return new JsonArray().add(new JsonObject().put("type", "text").put("text", new JsonObject().put("content", content)));
    }

    private static JsonObject paragraph(String content) {
        return new JsonObject().put("object", "block").put("type", "paragraph")
                .put("paragraph", new JsonObject().put("rich_text", text(content)));
    }

    private static Map<String, String> headers() {
        return Map.of("authorization", "Bearer secret_abcdefghijklmnopqrstuvwxyz", "notion-version", "2022-06-28",
                "content-type", "application/json");
    }

    private static SinkRequest request(String path, Map<String, String> headers, String body) {
        return new SinkRequest("POST", path, null, headers, body, Instant.now());
    }

    private static void assertValidation(Answer answer, String message) {
        assertError(answer, 400, "validation_error", message);
    }

    private static void assertError(Answer answer, int status, String code, String message) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject()
                .put("object", "error").put("status", status).put("code", code).put("message", message));
    }
}
