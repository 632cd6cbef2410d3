package io.kaizen.devstack.platform;

import java.util.Set;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Slack incoming webhook. It accepts a JSON message with a non-blank {@code text} or {@code blocks}, answering
 * {@code 200 ok} as text. It rejects the rest with {@code 400} and Slack's plain-text error codes:
 * {@code invalid_payload} (not a JSON object), {@code no_text} (neither text nor blocks),
 * {@code invalid_blocks_format} (blocks not an array), {@code invalid_blocks} (over 50 blocks, an unknown block
 * type, a block missing what its type needs, a header over 150 characters, a section text over 3,000, more than 10
 * section fields or a field over 2,000, a blank text object) and {@code msg_too_long} (text over 40,000). Characters
 * are counted as code points.
 */
public final class SlackRules implements PlatformRules {

    public static final int MAX_BLOCKS = 50;
    public static final int MAX_HEADER_CHARS = 150;
    public static final int MAX_SECTION_CHARS = 3000;
    public static final int MAX_FIELDS = 10;
    public static final int MAX_FIELD_CHARS = 2000;
    public static final int MAX_TEXT_CHARS = 40_000;
    private static final Set<String> BLOCK_TYPES = Set.of("section", "header", "divider", "context", "actions", "image",
            "rich_text", "input", "file", "video", "markdown");

    @Override
    public String platform() {
        return "slack";
    }

    @Override
    public Answer answer(SinkRequest request) {
        JsonObject message = PlatformRules.jsonObject(request.body());
        if (message == null) {
            return error("invalid_payload");
        }
        Object text = message.getValue("text");
        Object blocks = message.getValue("blocks");
        if (text != null && !(text instanceof String)) {
            return error("invalid_payload");
        }
        if (blocks != null && !(blocks instanceof JsonArray)) {
            return error("invalid_blocks_format");
        }
        boolean hasText = text instanceof String t && !t.isBlank();
        boolean hasBlocks = blocks instanceof JsonArray list && !list.isEmpty();
        if (!hasText && !hasBlocks) {
            return error("no_text");
        }
        if (hasText && chars((String) text) > MAX_TEXT_CHARS) {
            return error("msg_too_long");
        }
        if (blocks instanceof JsonArray list && !validBlocks(list)) {
            return error("invalid_blocks");
        }
        return new Answer(200, "text/html", "ok");
    }

    private static boolean validBlocks(JsonArray blocks) {
        if (blocks.size() > MAX_BLOCKS) {
            return false;
        }
        for (Object item : blocks) {
            if (!(item instanceof JsonObject block) || !validBlock(block)) {
                return false;
            }
        }
        return true;
    }

    private static boolean validBlock(JsonObject block) {
        String type = block.getValue("type") instanceof String t ? t : null;
        if (type == null || !BLOCK_TYPES.contains(type)) {
            return false;
        }
        if (block.getValue("block_id") != null
                && !(block.getValue("block_id") instanceof String id && chars(id) <= 255)) {
            return false;
        }
        return switch (type) {
            case "header" -> textObject(block.getValue("text"), true, MAX_HEADER_CHARS);
            case "section" -> section(block);
            case "context" -> elements(block, 10, SlackRules::contextElement);
            case "actions" -> elements(block, 25, SlackRules::actionElement);
            case "image" -> block.getValue("image_url") instanceof String && block.getValue("alt_text") instanceof String;
            default -> true;
        };
    }

    private static boolean section(JsonObject block) {
        Object text = block.getValue("text");
        Object fields = block.getValue("fields");
        if (text == null && fields == null) {
            return false;
        }
        if (text != null && !textObject(text, false, MAX_SECTION_CHARS)) {
            return false;
        }
        if (fields == null) {
            return true;
        }
        if (!(fields instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_FIELDS) {
            return false;
        }
        return list.stream().allMatch(field -> textObject(field, false, MAX_FIELD_CHARS));
    }

    private static boolean elements(JsonObject block, int max, java.util.function.Predicate<Object> valid) {
        return block.getValue("elements") instanceof JsonArray list && !list.isEmpty() && list.size() <= max
                && list.stream().allMatch(valid);
    }

    private static boolean contextElement(Object element) {
        if (element instanceof JsonObject object && "image".equals(object.getValue("type"))) {
            return object.getValue("image_url") instanceof String && object.getValue("alt_text") instanceof String;
        }
        return textObject(element, false, MAX_SECTION_CHARS);
    }

    private static boolean actionElement(Object element) {
        if (!(element instanceof JsonObject object) || !(object.getValue("type") instanceof String type)) {
            return false;
        }
        if (!type.equals("button")) {
            return true;
        }
        Object url = object.getValue("url");
        return textObject(object.getValue("text"), true, 75)
                && (url == null || url instanceof String u && !u.isBlank() && chars(u) <= 3000);
    }

    /** A text object: {@code plain_text} (or, unless {@code plainOnly}, {@code mrkdwn}) with 1 to {@code max} characters. */
    private static boolean textObject(Object value, boolean plainOnly, int max) {
        if (!(value instanceof JsonObject object) || !(object.getValue("text") instanceof String text)) {
            return false;
        }
        Object type = object.getValue("type");
        boolean knownType = "plain_text".equals(type) || (!plainOnly && "mrkdwn".equals(type));
        return knownType && !text.isBlank() && chars(text) <= max;
    }

    private static int chars(String text) {
        return text.codePointCount(0, text.length());
    }

    private static Answer error(String code) {
        return new Answer(400, "text/plain", code);
    }
}
