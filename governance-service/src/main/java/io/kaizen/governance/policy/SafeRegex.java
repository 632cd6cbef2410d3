package io.kaizen.governance.policy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions written by organisations (policy {@code regex} conditions, payload triggers) run against
 * caller-controlled text, so a pathological pattern must not hold a thread: matching reads the text through a
 * counter and gives up after a fixed number of character reads. Compiled patterns are cached.
 */
public final class SafeRegex {

    /** Character reads one match may make; far above what a sane pattern needs on a 100 KB payload. */
    public static final long MAX_STEPS = 5_000_000;
    private static final int CACHE_LIMIT = 2_000;
    private static final Map<String, Pattern> CACHE = new ConcurrentHashMap<>();

    private SafeRegex() {
    }

    /** Thrown when a match needs more than {@link #MAX_STEPS} character reads. */
    public static final class TooExpensive extends RuntimeException {
        TooExpensive() {
            super("regular expression exceeded its matching budget", null, false, false);
        }
    }

    /** The compile error of {@code regex}, or null when it compiles. */
    public static String compileError(String regex) {
        try {
            Pattern.compile(regex);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getDescription();
        }
    }

    public static Pattern compile(String regex, boolean caseInsensitive) {
        String key = (caseInsensitive ? "i:" : "s:") + regex;
        Pattern cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        if (CACHE.size() > CACHE_LIMIT) {
            CACHE.clear();
        }
        Pattern compiled = Pattern.compile(regex, caseInsensitive ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        CACHE.put(key, compiled);
        return compiled;
    }

    /** True when {@code pattern} is found in {@code text}; throws {@link TooExpensive} past the budget. */
    public static boolean find(Pattern pattern, String text) {
        return matcher(pattern, text).find();
    }

    /** A matcher over {@code text} that enforces the budget while it runs. */
    public static Matcher matcher(Pattern pattern, String text) {
        return pattern.matcher(new CountingText(text, new long[] {0}));
    }

    private record CountingText(CharSequence text, long[] steps) implements CharSequence {

        @Override
        public char charAt(int index) {
            if (++steps[0] > MAX_STEPS) {
                throw new TooExpensive();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new CountingText(text.subSequence(start, end), steps);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
