package io.kaizen.devstack.platform;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Pattern;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Microsoft Teams Workflows (or Incoming Webhook) URL. It accepts {@code {"type":"message","attachments":[…]}} whose
 * attachments are valid Adaptive Cards ({@code application/vnd.microsoft.card.adaptive}: type {@code AdaptiveCard}, a
 * version 1.0–1.6, a body of known elements each with its required properties, known actions) or legacy MessageCards,
 * and a bare legacy MessageCard ({@code @type: MessageCard} with a {@code text} or {@code summary}); it answers
 * {@code 202} with no body. It rejects a payload over 28 KB with {@code 413} and anything else with {@code 400}, as
 * Power Automate does: {@code {"error":{"code":"TriggerInputSchemaMismatch","message":"… <what is wrong>"}}}.
 */
public final class TeamsRules implements PlatformRules {

    public static final int MAX_BYTES = 28 * 1024;
    public static final String ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";
    public static final String MESSAGE_CARD = "application/vnd.microsoft.teams.card.o365connector";
    private static final Pattern VERSION = Pattern.compile("1\\.[0-6]");
    private static final Set<String> INPUTS = Set.of("Input.Text", "Input.Number", "Input.Date", "Input.Time",
            "Input.Toggle", "Input.ChoiceSet");

    /** What is wrong with the card, at which path. */
    private static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public String platform() {
        return "teams";
    }

    @Override
    public Answer answer(SinkRequest request) {
        if (request.body().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return new Answer(413, "application/json", new JsonObject().put("error", new JsonObject()
                    .put("code", "RequestEntityTooLarge")
                    .put("message", "The request content length exceeds the limit of " + MAX_BYTES + " bytes.")).encode());
        }
        try {
            JsonObject payload = PlatformRules.jsonObject(request.body());
            if (payload == null) {
                throw new Invalid("the body is not a JSON object");
            }
            if ("MessageCard".equals(payload.getValue("@type"))) {
                messageCard(payload, "$");
            } else {
                message(payload);
            }
        } catch (Invalid e) {
            return new Answer(400, "application/json", new JsonObject().put("error", new JsonObject()
                    .put("code", "TriggerInputSchemaMismatch")
                    .put("message", "The input body for trigger 'manual' of type 'Request' did not match its schema "
                            + "definition. Error details: '" + e.getMessage() + "'.")).encode());
        }
        return new Answer(202, "application/json", "");
    }

    private static void message(JsonObject payload) {
        if (!"message".equals(payload.getValue("type"))) {
            throw new Invalid("$.type must be 'message'");
        }
        JsonArray attachments = array(payload.getValue("attachments"), "$.attachments");
        if (attachments.isEmpty()) {
            throw new Invalid("$.attachments must not be empty");
        }
        for (int i = 0; i < attachments.size(); i++) {
            String at = "$.attachments[" + i + "]";
            JsonObject attachment = object(attachments.getValue(i), at);
            Object type = attachment.getValue("contentType");
            JsonObject content = object(attachment.getValue("content"), at + ".content");
            if (ADAPTIVE_CARD.equals(type)) {
                card(content, at + ".content", true);
            } else if (MESSAGE_CARD.equals(type)) {
                messageCard(content, at + ".content");
            } else {
                throw new Invalid(at + ".contentType must be " + ADAPTIVE_CARD + " or " + MESSAGE_CARD);
            }
        }
    }

    private static void card(JsonObject card, String at, boolean topLevel) {
        if (!"AdaptiveCard".equals(card.getValue("type"))) {
            throw new Invalid(at + ".type must be 'AdaptiveCard'");
        }
        Object version = card.getValue("version");
        if ((topLevel || version != null) && !(version instanceof String v && VERSION.matcher(v).matches())) {
            throw new Invalid(at + ".version must be an Adaptive Card version from 1.0 to 1.6");
        }
        if (card.getValue("body") != null) {
            elements(array(card.getValue("body"), at + ".body"), at + ".body");
        }
        if (card.getValue("actions") != null) {
            actions(array(card.getValue("actions"), at + ".actions"), at + ".actions");
        }
    }

    private static void elements(JsonArray elements, String at) {
        for (int i = 0; i < elements.size(); i++) {
            element(object(elements.getValue(i), at + "[" + i + "]"), at + "[" + i + "]");
        }
    }

    private static void element(JsonObject element, String at) {
        String type = string(element.getValue("type"), at + ".type");
        switch (type) {
            case "TextBlock" -> string(element.getValue("text"), at + ".text");
            case "RichTextBlock" -> {
                JsonArray inlines = array(element.getValue("inlines"), at + ".inlines");
                for (int i = 0; i < inlines.size(); i++) {
                    if (!(inlines.getValue(i) instanceof String)) {
                        string(object(inlines.getValue(i), at + ".inlines[" + i + "]").getValue("text"),
                                at + ".inlines[" + i + "].text");
                    }
                }
            }
            case "Image" -> string(element.getValue("url"), at + ".url");
            case "ImageSet" -> elements(array(element.getValue("images"), at + ".images"), at + ".images");
            case "Media" -> array(element.getValue("sources"), at + ".sources");
            case "FactSet" -> {
                JsonArray facts = array(element.getValue("facts"), at + ".facts");
                for (int i = 0; i < facts.size(); i++) {
                    JsonObject fact = object(facts.getValue(i), at + ".facts[" + i + "]");
                    string(fact.getValue("title"), at + ".facts[" + i + "].title");
                    string(fact.getValue("value"), at + ".facts[" + i + "].value");
                }
            }
            case "Container" -> elements(array(element.getValue("items"), at + ".items"), at + ".items");
            case "ColumnSet" -> {
                if (element.getValue("columns") != null) {
                    JsonArray columns = array(element.getValue("columns"), at + ".columns");
                    for (int i = 0; i < columns.size(); i++) {
                        JsonObject column = object(columns.getValue(i), at + ".columns[" + i + "]");
                        if (column.getValue("items") != null) {
                            elements(array(column.getValue("items"), at + ".columns[" + i + "].items"),
                                    at + ".columns[" + i + "].items");
                        }
                    }
                }
            }
            case "ActionSet" -> actions(array(element.getValue("actions"), at + ".actions"), at + ".actions");
            case "Table" -> array(element.getValue("rows"), at + ".rows");
            default -> {
                if (!INPUTS.contains(type)) {
                    throw new Invalid(at + ".type '" + type + "' is not an Adaptive Card element");
                }
                string(element.getValue("id"), at + ".id");
            }
        }
    }

    private static void actions(JsonArray actions, String at) {
        for (int i = 0; i < actions.size(); i++) {
            String here = at + "[" + i + "]";
            JsonObject action = object(actions.getValue(i), here);
            switch (string(action.getValue("type"), here + ".type")) {
                case "Action.OpenUrl" -> string(action.getValue("url"), here + ".url");
                case "Action.Submit", "Action.Execute" -> {
                }
                case "Action.ShowCard" -> card(object(action.getValue("card"), here + ".card"), here + ".card", false);
                case "Action.ToggleVisibility" -> array(action.getValue("targetElements"), here + ".targetElements");
                default -> throw new Invalid(here + ".type '" + action.getValue("type") + "' is not an Adaptive Card action");
            }
        }
    }

    /** A legacy Office 365 connector card: a summary or text, and well-formed sections and actions if any. */
    private static void messageCard(JsonObject card, String at) {
        if (!"MessageCard".equals(card.getValue("@type"))) {
            throw new Invalid(at + ".@type must be 'MessageCard'");
        }
        boolean hasText = card.getValue("text") instanceof String text && !text.isBlank();
        boolean hasSummary = card.getValue("summary") instanceof String summary && !summary.isBlank();
        if (!hasText && !hasSummary) {
            throw new Invalid(at + ": Summary or Text is required.");
        }
        if (card.getValue("sections") != null) {
            JsonArray sections = array(card.getValue("sections"), at + ".sections");
            for (int i = 0; i < sections.size(); i++) {
                JsonObject section = object(sections.getValue(i), at + ".sections[" + i + "]");
                if (section.getValue("facts") != null) {
                    JsonArray facts = array(section.getValue("facts"), at + ".sections[" + i + "].facts");
                    for (int f = 0; f < facts.size(); f++) {
                        String here = at + ".sections[" + i + "].facts[" + f + "]";
                        JsonObject fact = object(facts.getValue(f), here);
                        string(fact.getValue("name"), here + ".name");
                        string(fact.getValue("value"), here + ".value");
                    }
                }
            }
        }
        if (card.getValue("potentialAction") != null) {
            JsonArray actions = array(card.getValue("potentialAction"), at + ".potentialAction");
            for (int i = 0; i < actions.size(); i++) {
                String here = at + ".potentialAction[" + i + "]";
                JsonObject action = object(actions.getValue(i), here);
                string(action.getValue("@type"), here + ".@type");
                string(action.getValue("name"), here + ".name");
                if ("OpenUri".equals(action.getValue("@type"))) {
                    JsonArray targets = array(action.getValue("targets"), here + ".targets");
                    for (int t = 0; t < targets.size(); t++) {
                        string(object(targets.getValue(t), here + ".targets[" + t + "]").getValue("uri"),
                                here + ".targets[" + t + "].uri");
                    }
                }
            }
        }
    }

    private static JsonObject object(Object value, String at) {
        if (value instanceof JsonObject object) {
            return object;
        }
        throw new Invalid(at + " must be an object");
    }

    private static JsonArray array(Object value, String at) {
        if (value instanceof JsonArray array) {
            return array;
        }
        throw new Invalid(at + " must be an array");
    }

    private static String string(Object value, String at) {
        if (value instanceof String text) {
            return text;
        }
        throw new Invalid(at + " is required and must be a string");
    }
}
