package io.kaizen.devstack.platform;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Telegram Bot API's {@code POST /bot<token>/sendMessage} with a JSON body, as it judges a message: a path
 * without a well-formed bot token is 401; a missing {@code chat_id}, an empty text, a text over 4,096 characters
 * (UTF-16 units, counted after entity parsing), markup that {@link MarkdownV2} refuses, an unknown
 * {@code parse_mode} or an inline keyboard button without a text or a valid URL are 400 in the API's
 * {@code {"ok":false,"error_code":…,"description":…}} shape. A message that passes is answered with the sent
 * {@code Message}.
 */
public final class TelegramRules implements PlatformRules {

    /** Longest message text, after entity parsing. */
    public static final int MAX_TEXT = 4096;

    private static final Pattern SEND_MESSAGE = Pattern.compile("/bot([^/]*)/([A-Za-z]+)");
    private static final Pattern BOT_TOKEN = Pattern.compile("[0-9]{3,20}:[A-Za-z0-9_-]{20,100}");
    private static final Pattern CHAT_ID = Pattern.compile("-?[0-9]{1,20}|@[A-Za-z0-9_]{5,32}");

    private final AtomicLong messageIds = new AtomicLong();

    @Override
    public String platform() {
        return "telegram";
    }

    @Override
    public Answer answer(SinkRequest request) {
        Matcher path = SEND_MESSAGE.matcher(request.path());
        if (!path.matches() || !BOT_TOKEN.matcher(path.group(1)).matches()) {
            return error(401, "Unauthorized");
        }
        if (!path.group(2).equalsIgnoreCase("sendMessage") || !request.method().equals("POST")) {
            return error(404, "Not Found");
        }
        JsonObject body = PlatformRules.jsonObject(request.body());
        if (body == null) {
            return error(400, "Bad Request: can't parse JSON");
        }
        Object chatId = body.getValue("chat_id");
        if (chatId == null || String.valueOf(chatId).isEmpty()) {
            return error(400, "Bad Request: chat_id is empty");
        }
        if (!CHAT_ID.matcher(String.valueOf(chatId)).matches()) {
            return error(400, "Bad Request: chat not found");
        }
        if (!(body.getValue("text") instanceof String text)) {
            return error(400, "Bad Request: message text is empty");
        }
        String shown;
        Object parseMode = body.getValue("parse_mode");
        if (parseMode == null || "".equals(parseMode)) {
            shown = text;
        } else if (parseMode instanceof String mode && mode.toLowerCase(Locale.ROOT).equals("markdownv2")) {
            try {
                shown = MarkdownV2.parse(text).text();
            } catch (MarkdownV2.MarkupException e) {
                return error(400, "Bad Request: can't parse entities: " + e.getMessage());
            }
        } else {
            return error(400, "Bad Request: unsupported parse_mode");
        }
        if (shown.isBlank()) {
            return error(400, "Bad Request: message text is empty");
        }
        if (shown.length() > MAX_TEXT) {
            return error(400, "Bad Request: message is too long");
        }
        String keyboardError = keyboardError(body.getValue("reply_markup"));
        if (keyboardError != null) {
            return error(400, "Bad Request: " + keyboardError);
        }
        JsonObject chat = new JsonObject().put("id", chatId)
                .put("type", String.valueOf(chatId).startsWith("-100") || String.valueOf(chatId).startsWith("@")
                        ? "channel" : "private");
        JsonObject message = new JsonObject()
                .put("message_id", messageIds.incrementAndGet())
                .put("chat", chat)
                .put("date", Instant.now().getEpochSecond())
                .put("text", shown);
        return new Answer(200, "application/json", new JsonObject().put("ok", true).put("result", message).encode());
    }

    /** What is wrong with an inline keyboard, or null when there is none or it is well formed. */
    private static String keyboardError(Object markup) {
        if (markup == null) {
            return null;
        }
        if (!(markup instanceof JsonObject object) || !(object.getValue("inline_keyboard") instanceof JsonArray rows)) {
            return "can't parse reply keyboard markup JSON object";
        }
        for (Object row : rows) {
            if (!(row instanceof JsonArray buttons)) {
                return "can't parse inline keyboard button: InlineKeyboardButton must be an Object";
            }
            for (Object entry : buttons) {
                if (!(entry instanceof JsonObject button)) {
                    return "can't parse inline keyboard button: InlineKeyboardButton must be an Object";
                }
                if (!(button.getValue("text") instanceof String label) || label.isBlank()) {
                    return "can't parse inline keyboard button: Text must be non-empty";
                }
                if (!(button.getValue("url") instanceof String url)) {
                    return "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard";
                }
                if (!validUrl(url)) {
                    return "inline keyboard button URL '" + url + "' is invalid: Wrong HTTP URL";
                }
            }
        }
        return null;
    }

    private static boolean validUrl(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
                    || scheme.equals("tg") && uri.getSchemeSpecificPart() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Answer error(int code, String description) {
        return new Answer(code, "application/json", new JsonObject()
                .put("ok", false).put("error_code", code).put("description", description).encode());
    }
}
