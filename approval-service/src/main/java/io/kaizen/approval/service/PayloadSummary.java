package io.kaizen.approval.service;

import java.util.regex.Pattern;

/**
 * What an approver sees of the held call's input: its start, with secret-looking values masked. It is masked here
 * whatever the caller sent, so a summary never holds a credential, an API key or a card number.
 */
public final class PayloadSummary {

    /** The longest summary kept. */
    public static final int MAX = 500;
    static final String MASK = "***";

    /** A secret-looking key and its value ({@code "password": "x"}, {@code token=x}, {@code Bearer x}). */
    private static final Pattern KEYED = Pattern.compile("(?i)((?:api[_-]?key|access[_-]?token|token|secret|password"
            + "|passwd|authorization|credentials?)[\"']?\\s*[:=]\\s*[\"']?(?:(?:bearer|basic)\\s+)?"
            + "|(?:bearer|basic)\\s+)[^\\s\"',&}]+");
    /** Kaizen keys and other prefixed secrets, and long runs of key-like characters. */
    private static final Pattern TOKENS = Pattern.compile("\\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]+\\b"
            + "|\\b(?:ghp|xox[abpr])[-_][A-Za-z0-9-]{10,}\\b|\\b[A-Za-z0-9+/_-]{32,}={0,2}");
    /** Card-number-like digit runs (13 to 19 digits, spaces or dashes between groups). */
    private static final Pattern CARDS = Pattern.compile("\\b(?:\\d[ -]?){12,18}\\d\\b");

    private PayloadSummary() {
    }

    public static String of(String payload) {
        if (payload == null) {
            return null;
        }
        String masked = KEYED.matcher(payload).replaceAll("$1" + MASK);
        masked = TOKENS.matcher(masked).replaceAll(MASK);
        masked = CARDS.matcher(masked).replaceAll(MASK);
        return masked.length() <= MAX ? masked : masked.substring(0, MAX - 1) + "…";
    }
}
