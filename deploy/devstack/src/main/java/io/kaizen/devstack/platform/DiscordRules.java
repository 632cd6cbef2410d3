package io.kaizen.devstack.platform;

import java.time.Instant;
import java.util.Locale;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Discord webhook ({@code POST /api/webhooks/{id}/{token}}). It accepts a message within Discord's limits, answering
 * {@code 204} with no body, or {@code 200} with the created message object when the query has {@code wait=true}. It
 * rejects the rest with Discord's errors: {@code 400 {"code":50109}} for a body that is not JSON,
 * {@code 400 {"code":50006}} when there is nothing to send, and {@code 400 {"code":50035,"message":"Invalid Form
 * Body","errors":{…}}} naming every field over its limit: content 2,000, username 80 (or containing "discord" or
 * "clyde"), 10 embeds, per embed a title of 256, a description of 4,096, 25 fields with names of 1–256 and values of
 * 1–1,024, a footer text of 2,048, an author name of 256, and 6,000 characters in all embeds together. Characters are
 * counted as code points.
 */
public final class DiscordRules implements PlatformRules {

    public static final int MAX_CONTENT = 2000;
    public static final int MAX_USERNAME = 80;
    public static final int MAX_EMBEDS = 10;
    public static final int MAX_TITLE = 256;
    public static final int MAX_DESCRIPTION = 4096;
    public static final int MAX_FIELDS = 25;
    public static final int MAX_FIELD_NAME = 256;
    public static final int MAX_FIELD_VALUE = 1024;
    public static final int MAX_FOOTER = 2048;
    public static final int MAX_AUTHOR = 256;
    public static final int MAX_EMBED_TOTAL = 6000;

    @Override
    public String platform() {
        return "discord";
    }

    @Override
    public Answer answer(SinkRequest request) {
        JsonObject message = PlatformRules.jsonObject(request.body());
        if (message == null) {
            return failure(50109, "The request body contains invalid JSON.", null);
        }
        JsonObject errors = new JsonObject();
        Object content = message.getValue("content");
        if (content != null) {
            if (!(content instanceof String text)) {
                error(errors, "BASE_TYPE_STRING", "Must be a string.", "content");
            } else if (chars(text) > MAX_CONTENT) {
                error(errors, "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_CONTENT + " or fewer in length.", "content");
            }
        }
        username(message.getValue("username"), errors);
        Object embeds = message.getValue("embeds");
        int embedCount = 0;
        if (embeds != null) {
            if (!(embeds instanceof JsonArray list)) {
                error(errors, "BASE_TYPE_ARRAY", "Must be an array.", "embeds");
            } else if (list.size() > MAX_EMBEDS) {
                error(errors, "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_EMBEDS + " or fewer in length.", "embeds");
            } else {
                embedCount = list.size();
                embeds(list, errors);
            }
        }
        if (!errors.isEmpty()) {
            return failure(50035, "Invalid Form Body", errors);
        }
        if ((!(content instanceof String text) || text.isBlank()) && embedCount == 0) {
            return failure(50006, "Cannot send an empty message", null);
        }
        if (request.query() == null || !("&" + request.query() + "&").contains("&wait=true&")) {
            return new Answer(204, "application/json", "");
        }
        return new Answer(200, "application/json", created(message, request).encode());
    }

    private static void username(Object value, JsonObject errors) {
        if (value == null) {
            return;
        }
        if (!(value instanceof String name)) {
            error(errors, "BASE_TYPE_STRING", "Must be a string.", "username");
            return;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.isBlank() || chars(name) > MAX_USERNAME) {
            error(errors, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and " + MAX_USERNAME + " in length.", "username");
        } else if (lower.contains("discord")) {
            error(errors, "USERNAME_INVALID_CONTAINS", "Username cannot contain \"discord\"", "username");
        } else if (lower.contains("clyde")) {
            error(errors, "USERNAME_INVALID_CONTAINS", "Username cannot contain \"clyde\"", "username");
        }
    }

    private static void embeds(JsonArray embeds, JsonObject errors) {
        int total = 0;
        for (int i = 0; i < embeds.size(); i++) {
            String at = String.valueOf(i);
            if (!(embeds.getValue(i) instanceof JsonObject embed)) {
                error(errors, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType", "embeds", at);
                continue;
            }
            total += text(embed.getValue("title"), MAX_TITLE, false, errors, "embeds", at, "title");
            total += text(embed.getValue("description"), MAX_DESCRIPTION, false, errors, "embeds", at, "description");
            Object fields = embed.getValue("fields");
            if (fields instanceof JsonArray list) {
                if (list.size() > MAX_FIELDS) {
                    error(errors, "BASE_TYPE_MAX_LENGTH", "Must be " + MAX_FIELDS + " or fewer in length.", "embeds", at,
                            "fields");
                }
                for (int f = 0; f < list.size(); f++) {
                    String field = String.valueOf(f);
                    JsonObject object = list.getValue(f) instanceof JsonObject o ? o : new JsonObject();
                    total += text(object.getValue("name"), MAX_FIELD_NAME, true, errors, "embeds", at, "fields", field, "name");
                    total += text(object.getValue("value"), MAX_FIELD_VALUE, true, errors, "embeds", at, "fields", field,
                            "value");
                }
            } else if (fields != null) {
                error(errors, "BASE_TYPE_ARRAY", "Must be an array.", "embeds", at, "fields");
            }
            if (embed.getValue("footer") instanceof JsonObject footer) {
                total += text(footer.getValue("text"), MAX_FOOTER, true, errors, "embeds", at, "footer", "text");
            }
            if (embed.getValue("author") instanceof JsonObject author) {
                total += text(author.getValue("name"), MAX_AUTHOR, true, errors, "embeds", at, "author", "name");
            }
            Object colour = embed.getValue("color");
            if (colour != null && !(colour instanceof Integer c && c >= 0 && c <= 0xFFFFFF)) {
                error(errors, "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.", "embeds", at,
                        "color");
            }
            if (embed.getValue("timestamp") != null && !instant(embed.getValue("timestamp"))) {
                error(errors, "DATE_TIME_TYPE_PARSE", "Could not parse " + embed.getValue("timestamp")
                        + ". Should be ISO8601.", "embeds", at, "timestamp");
            }
        }
        if (total > MAX_EMBED_TOTAL) {
            error(errors, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of " + MAX_EMBED_TOTAL, "embeds");
        }
    }

    /** Checks one text of an embed and returns its length for the 6,000 total. */
    private static int text(Object value, int max, boolean required, JsonObject errors, String... path) {
        if (value == null) {
            if (required) {
                error(errors, "BASE_TYPE_REQUIRED", "This field is required", path);
            }
            return 0;
        }
        if (!(value instanceof String text)) {
            error(errors, "BASE_TYPE_STRING", "Must be a string.", path);
            return 0;
        }
        if (required && text.isBlank()) {
            error(errors, "BASE_TYPE_REQUIRED", "This field is required", path);
        } else if (chars(text) > max) {
            error(errors, "BASE_TYPE_MAX_LENGTH", "Must be " + max + " or fewer in length.", path);
        }
        return chars(text);
    }

    private static boolean instant(Object value) {
        try {
            java.time.OffsetDateTime.parse(String.valueOf(value));
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Adds {@code {"_errors":[{code, message}]}} under the path, as Discord nests them. */
    private static void error(JsonObject errors, String code, String message, String... path) {
        JsonObject node = errors;
        for (String key : path) {
            JsonObject child = node.getJsonObject(key);
            if (child == null) {
                child = new JsonObject();
                node.put(key, child);
            }
            node = child;
        }
        JsonArray list = node.getJsonArray("_errors");
        if (list == null) {
            list = new JsonArray();
            node.put("_errors", list);
        }
        list.add(new JsonObject().put("code", code).put("message", message));
    }

    private static int chars(String text) {
        return text.codePointCount(0, text.length());
    }

    private static Answer failure(int code, String message, JsonObject errors) {
        JsonObject body = new JsonObject().put("message", message).put("code", code);
        if (errors != null) {
            body.put("errors", errors);
        }
        return new Answer(400, "application/json", body.encode());
    }

    /** The message object Discord returns for {@code wait=true}. */
    private static JsonObject created(JsonObject message, SinkRequest request) {
        String[] path = request.path().split("/");
        String webhookId = path.length >= 2 ? path[path.length - 2] : "0";
        String id = String.valueOf(Math.abs(request.receivedAt().toEpochMilli() * 1000 + request.body().length()));
        return new JsonObject()
                .put("id", id)
                .put("type", 0)
                .put("content", message.getString("content", ""))
                .put("channel_id", "1100000000000000000")
                .put("author", new JsonObject().put("bot", true).put("id", webhookId)
                        .put("username", message.getString("username", "Captain Hook")).put("avatar", null))
                .put("attachments", new JsonArray())
                .put("embeds", message.getJsonArray("embeds", new JsonArray()))
                .put("mentions", new JsonArray())
                .put("pinned", false)
                .put("mention_everyone", false)
                .put("tts", false)
                .put("timestamp", Instant.now().toString())
                .put("flags", 0)
                .put("webhook_id", webhookId);
    }
}
