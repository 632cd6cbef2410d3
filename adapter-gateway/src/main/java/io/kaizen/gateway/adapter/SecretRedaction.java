package io.kaizen.gateway.adapter;

import java.util.regex.Pattern;

/**
 * Removes secret-looking values (bearer and basic credentials, {@code api_key=…}, {@code token: …}, Telegram bot
 * tokens) from text an outside party wrote, such as an excerpt of its answer, before it is stored or shown.
 */
public final class SecretRedaction {

    /**
     * A secret-looking key and its value, the scheme of a credential included ({@code "authorization": "Bearer x"}
     * loses {@code x}, not only {@code Bearer}), or a bare scheme and its credential.
     */
    private static final Pattern SECRETS = Pattern.compile("(?i)((?:api[_-]?key|token|secret|password|authorization)"
            + "[\"']?\\s*[:=]\\s*[\"']?(?:(?:bearer|basic)\\s+)?|(?:bearer|basic)\\s+)[^\\s\"',&}]+");
    /** Not word-bounded at the start: in an echoed URL the token follows {@code /bot} directly. */
    private static final Pattern BOT_TOKEN = Pattern.compile("(?<![0-9])[0-9]{3,20}:[A-Za-z0-9_-]{20,100}");

    private SecretRedaction() {
    }

    public static String redact(String text) {
        return BOT_TOKEN.matcher(SECRETS.matcher(text).replaceAll("$1<REDACTED>")).replaceAll("<REDACTED>");
    }
}
