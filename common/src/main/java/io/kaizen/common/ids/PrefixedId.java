package io.kaizen.common.ids;

import java.security.SecureRandom;

/**
 * Prefixed, time-ordered identifiers such as {@code agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF}: the prefix names the
 * aggregate, the 26 Crockford base-32 characters are a ULID (48-bit millisecond time, 80 random bits), so ids
 * sort by creation time in indexes and logs.
 */
public final class PrefixedId {

    public static final String AGENT = "agt";
    public static final String INVOCATION = "inv";
    public static final String APPROVAL = "apr";
    public static final String POLICY = "pol";
    public static final String API_KEY = "key";
    public static final String DELIVERY = "dlv";
    public static final String WEBHOOK = "whk";
    public static final String DECISION = "dec";
    public static final String EVENT = "evt";
    public static final String REQUEST = "req";
    private static final String ULID_PATTERN = "[0-9A-HJKMNP-TV-Z]{26}";

    /** What {@link #isValid} accepts, as a regular expression for the documents ({@code pattern}). */
    public static final String AGENT_PATTERN = "^" + AGENT + "_" + ULID_PATTERN + "$";
    public static final String INVOCATION_PATTERN = "^" + INVOCATION + "_" + ULID_PATTERN + "$";
    public static final String APPROVAL_PATTERN = "^" + APPROVAL + "_" + ULID_PATTERN + "$";

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PrefixedId() {
    }

    public static String next(String prefix) {
        return prefix + "_" + ulid(System.currentTimeMillis());
    }

    /** True when {@code id} is a well-formed id of the given prefix (used to reject junk path parameters early). */
    public static boolean isValid(String prefix, String id) {
        if (id == null || id.length() != prefix.length() + 27 || !id.startsWith(prefix + "_")) {
            return false;
        }
        for (int i = prefix.length() + 1; i < id.length(); i++) {
            if (indexOf(id.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static String ulid(long millis) {
        char[] out = new char[26];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long high = 0;
        for (int i = 0; i < 5; i++) {
            high = (high << 8) | (random[i] & 0xff);
        }
        long low = 0;
        for (int i = 5; i < 10; i++) {
            low = (low << 8) | (random[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (high & 31)];
            high >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (low & 31)];
            low >>>= 5;
        }
        return new String(out);
    }

    private static int indexOf(char c) {
        for (int i = 0; i < ALPHABET.length; i++) {
            if (ALPHABET[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
