package io.kaizen.gateway.adapter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a messaging platform shows, before it is put in the platform's form: a title, a body text, an optional status
 * (which platforms render as a colour or an emoji), labelled facts, an optional link and a time. Texts are plain and
 * of any length; each platform escapes and shortens them to its own rules.
 */
public record PlatformMessage(String title, String text, Status status, List<Fact> facts, String link, Instant timestamp) {

    /** How a message's outcome reads on every platform: in words, and as the emoji of the original system. */
    public enum Status {
        INFO("Info", "ℹ️"), SUCCESS("Succeeded", "✅"), FAILED("Failed", "❌"), PENDING("Pending", "⏳");

        private final String label;
        private final String emoji;

        Status(String label, String emoji) {
            this.label = label;
            this.emoji = emoji;
        }

        public String label() {
            return label;
        }

        public String emoji() {
            return emoji;
        }
    }

    public record Fact(String name, String value) {
    }

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public PlatformMessage {
        title = title == null ? "" : title;
        text = text == null ? "" : text;
        status = status == null ? Status.INFO : status;
        facts = facts == null ? List.of() : List.copyOf(facts);
        timestamp = timestamp == null ? Instant.now() : timestamp;
    }

    /**
     * An invocation's input as a message. A string is the text. An object may give {@code text} (or {@code message}),
     * {@code title} and {@code fields} (an object of labels and values); any other input is shown as indented JSON.
     */
    public static PlatformMessage ofInput(AgentCall call) {
        Object input = call.input();
        if (input instanceof String text) {
            return new PlatformMessage(null, text, Status.INFO, List.of(), null, null);
        }
        if (input instanceof Map<?, ?> map && (map.get("text") instanceof String || map.get("message") instanceof String)) {
            String text = map.get("text") instanceof String t ? t : (String) map.get("message");
            String title = map.get("title") instanceof String t ? t : null;
            List<Fact> facts = new ArrayList<>();
            if (map.get("fields") instanceof Map<?, ?> fields) {
                fields.forEach((name, value) -> facts.add(new Fact(String.valueOf(name), display(value))));
            }
            return new PlatformMessage(title, text, Status.INFO, facts, null, null);
        }
        return new PlatformMessage(null, display(input), Status.INFO, List.of(), null, null);
    }

    private static String display(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof String text) {
            return text;
        }
        try {
            return PRETTY.writeValueAsString(value instanceof JsonNode node ? node : PRETTY.valueToTree(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return String.valueOf(value);
        }
    }
}
