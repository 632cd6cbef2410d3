package io.kaizen.devstack.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.PlatformRules.Answer;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class TeamsRulesTest {

    private final TeamsRules rules = new TeamsRules();

    @Test
    void aWorkflowsMessageWithAnAdaptiveCardIsAccepted() {
        Answer answer = rules.answer(post(workflow(card())));

        assertThat(answer).isEqualTo(new Answer(202, "application/json", ""));
    }

    @Test
    void aLegacyMessageCardIsAcceptedBareOrAsAnAttachment() {
        JsonObject messageCard = new JsonObject().put("@type", "MessageCard").put("summary", "Deploy")
                .put("sections", new JsonArray().add(new JsonObject().put("facts", new JsonArray()
                        .add(new JsonObject().put("name", "Agent").put("value", "billing")))))
                .put("potentialAction", new JsonArray().add(new JsonObject().put("@type", "OpenUri").put("name", "View")
                        .put("targets", new JsonArray().add(new JsonObject().put("os", "default").put("uri", "https://x.test")))));

        assertThat(rules.answer(post(messageCard)).status()).isEqualTo(202);
        JsonObject attached = new JsonObject().put("type", "message").put("attachments", new JsonArray().add(new JsonObject()
                .put("contentType", TeamsRules.MESSAGE_CARD).put("content", messageCard)));
        assertThat(rules.answer(post(attached)).status()).isEqualTo(202);
    }

    @Test
    void aMessageCardWithoutTextOrSummaryIsRefused() {
        assertThat(mismatch(new JsonObject().put("@type", "MessageCard").put("title", "Deploy")))
                .contains("Summary or Text is required");
    }

    @Test
    void theEnvelopeMustBeAMessageWithAdaptiveCardAttachments() {
        assertThat(mismatch(new JsonObject().put("type", "note").put("attachments", new JsonArray()))).contains("$.type");
        assertThat(mismatch(new JsonObject().put("type", "message").put("attachments", new JsonArray()))).contains("empty");
        assertThat(mismatch(new JsonObject().put("type", "message").put("attachments", new JsonArray()
                .add(new JsonObject().put("contentType", "text/html").put("content", card())))))
                .contains("contentType");
        assertThat(mismatch(new JsonObject().put("text", "hello"))).contains("$.type");
    }

    @Test
    void theCardMustBeAnAdaptiveCardWithAVersion() {
        assertThat(mismatch(workflow(card().put("type", "HeroCard")))).contains("AdaptiveCard");
        assertThat(mismatch(workflow(card().put("version", "2.0")))).contains("version");
        JsonObject noVersion = card();
        noVersion.remove("version");
        assertThat(mismatch(workflow(noVersion))).contains("version");
    }

    @Test
    void elementsNeedTheirRequiredProperties() {
        assertThat(mismatch(withBody(new JsonObject().put("type", "TextBlock").put("wrap", true))))
                .contains("$.attachments[0].content.body[0].text");
        assertThat(mismatch(withBody(new JsonObject().put("type", "FactSet").put("facts", new JsonArray()
                .add(new JsonObject().put("name", "Agent").put("value", "billing"))))))
                .contains("facts[0].title");
        assertThat(mismatch(withBody(new JsonObject().put("type", "Image")))).contains("url");
        assertThat(mismatch(withBody(new JsonObject().put("type", "Container").put("items", new JsonArray()
                .add(new JsonObject().put("type", "TextBlock")))))).contains("items[0].text");
        assertThat(mismatch(withBody(new JsonObject().put("type", "Marquee").put("text", "hi"))))
                .contains("not an Adaptive Card element");
    }

    @Test
    void actionsNeedTheirRequiredProperties() {
        JsonObject noUrl = card().put("actions", new JsonArray().add(new JsonObject().put("type", "Action.OpenUrl")
                .put("title", "View")));
        assertThat(mismatch(workflow(noUrl))).contains("actions[0].url");
        JsonObject unknown = card().put("actions", new JsonArray().add(new JsonObject().put("type", "Action.Teleport")));
        assertThat(mismatch(workflow(unknown))).contains("not an Adaptive Card action");
    }

    @Test
    void invalidJsonIsRefused() {
        Answer answer = rules.answer(new SinkRequest("POST", "/workflows/1", null, Map.of(), "{\"type\":", Instant.now()));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(new JsonObject(answer.body()).getJsonObject("error").getString("code")).isEqualTo("TriggerInputSchemaMismatch");
    }

    @Test
    void aPayloadOver28KbIsTooLarge() {
        String filler = "x".repeat(TeamsRules.MAX_BYTES);
        Answer answer = rules.answer(post(workflow(card().put("body", new JsonArray()
                .add(new JsonObject().put("type", "TextBlock").put("text", filler))))));

        assertThat(answer.status()).isEqualTo(413);
        assertThat(new JsonObject(answer.body()).getJsonObject("error").getString("code")).isEqualTo("RequestEntityTooLarge");
        // multi-byte characters count by their UTF-8 bytes: 7,500 × 4 bytes are over the limit
        assertThat(rules.answer(post(workflow(card().put("body", new JsonArray()
                .add(new JsonObject().put("type", "TextBlock").put("text", "😀".repeat(7500))))))).status()).isEqualTo(413);
    }

    private String mismatch(JsonObject payload) {
        Answer answer = rules.answer(post(payload));
        assertThat(answer.status()).isEqualTo(400);
        JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("TriggerInputSchemaMismatch");
        return error.getString("message");
    }

    private static JsonObject withBody(JsonObject element) {
        return workflow(card().put("body", new JsonArray().add(element)));
    }

    private static JsonObject card() {
        return new JsonObject().put("type", "AdaptiveCard").put("version", "1.4").put("body", new JsonArray()
                .add(new JsonObject().put("type", "TextBlock").put("text", "Deploy").put("weight", "Bolder"))
                .add(new JsonObject().put("type", "FactSet").put("facts", new JsonArray()
                        .add(new JsonObject().put("title", "Agent").put("value", "billing"))))
                .add(new JsonObject().put("type", "ColumnSet").put("columns", new JsonArray().add(new JsonObject()
                        .put("type", "Column").put("items", new JsonArray().add(new JsonObject().put("type", "Image")
                                .put("url", "https://x.test/a.png")))))))
                .put("actions", new JsonArray().add(new JsonObject().put("type", "Action.OpenUrl").put("title", "View")
                        .put("url", "https://x.test/i/1")));
    }

    private static JsonObject workflow(JsonObject card) {
        return new JsonObject().put("type", "message").put("attachments", new JsonArray().add(new JsonObject()
                .put("contentType", TeamsRules.ADAPTIVE_CARD).put("content", card)));
    }

    private static SinkRequest post(JsonObject body) {
        return new SinkRequest("POST", "/workflows/1", null, Map.of("content-type", "application/json"), body.encode(),
                Instant.now());
    }
}
