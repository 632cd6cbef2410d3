package io.kaizen.governance.trigger;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.kaizen.governance.policy.SafeRegex;

/** Built-in detectors of personal and secret data in a payload. */
public enum SensitiveDataDetector {

    /** US social security numbers in the {@code ddd-dd-dddd} form, without the never-issued areas and groups. */
    SSN("ssn", Pattern.compile("(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d-])")),
    /** Payment card numbers: 13–19 digits, optionally grouped by spaces or dashes, that pass the Luhn check. */
    CREDIT_CARD("credit_card", Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d])")) {
        @Override
        boolean accept(String match) {
            return luhn(match.replaceAll("[ -]", ""));
        }
    },
    EMAIL("email", Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}")),
    /** Strings shaped like credentials: vendor key formats, private keys, JWTs and {@code secret=...} pairs. */
    API_KEY("api_key", Pattern.compile(String.join("|",
            "\\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
            "\\bAKIA[0-9A-Z]{16}\\b",
            "\\bgh[pousr]_[A-Za-z0-9]{36,}",
            "\\bxox[abprs]-[A-Za-z0-9-]{10,}",
            "\\bAIza[0-9A-Za-z_-]{35}",
            "-----BEGIN [A-Z ]*PRIVATE KEY-----",
            "\\beyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}",
            "(?i:\\b(?:api[_-]?key|secret|access[_-]?token|password)\\s*[:=]\\s*['\"]?[^\\s'\"]{8,})")));

    private final String id;
    private final Pattern pattern;

    SensitiveDataDetector(String id, Pattern pattern) {
        this.id = id;
        this.pattern = pattern;
    }

    public String id() {
        return id;
    }

    /** True when {@code text} contains data of this kind. */
    public boolean detect(String text) {
        Matcher matcher = SafeRegex.matcher(pattern, text);
        while (matcher.find()) {
            if (accept(matcher.group())) {
                return true;
            }
        }
        return false;
    }

    boolean accept(String match) {
        return true;
    }

    /** The ids, as a regular expression for the documents ({@code pattern} of {@code sensitive_data}'s items). */
    public static final String ID_PATTERN = "^(ssn|credit_card|email|api_key)$";

    public static SensitiveDataDetector byId(String id) {
        String wanted = id == null ? "" : id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.id.equals(wanted)).findFirst().orElse(null);
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(SensitiveDataDetector::id).toList();
    }

    /** The Luhn (mod 10) check digit test of payment card numbers. */
    static boolean luhn(String digits) {
        int sum = 0;
        boolean doubled = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int digit = digits.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            if (doubled) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
