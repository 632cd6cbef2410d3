package io.kaizen.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What an API key looks like: {@code sk_live_} followed by 32 random bytes in unpadded base64url (51 characters in
 * all). Only its SHA-256 hash and its display prefix are ever stored or sent between services; with 256 random bits
 * a plain hash cannot be reversed by guessing, so no pepper is needed and every service can compute it.
 */
public final class ApiKeyFormat {

    public static final String PREFIX = "sk_live_";
    /** Characters of a key shown after creation, e.g. {@code sk_live_a1b2}. */
    public static final int DISPLAY_PREFIX_LENGTH = 12;
    private static final int SECRET_BYTES = 32;
    private static final int LENGTH = PREFIX.length() + 43;
    private static final int HASH_LENGTH = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    public static String generate() {
        byte[] secret = new byte[SECRET_BYTES];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** True for a string of the exact shape of a key; anything else is refused before any look-up. */
    public static boolean isWellFormed(String candidate) {
        if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = candidate.charAt(i);
            boolean base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!base64url) {
                return false;
            }
        }
        return true;
    }

    /** The lower-case hex SHA-256 of a key: what the registry stores and looks keys up by. */
    public static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    /** True for a string of the shape {@link #hash(String)} produces. */
    public static boolean isHash(String candidate) {
        if (candidate == null || candidate.length() != HASH_LENGTH) {
            return false;
        }
        for (int i = 0; i < HASH_LENGTH; i++) {
            char c = candidate.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public static String displayPrefix(String key) {
        return key.substring(0, DISPLAY_PREFIX_LENGTH);
    }
}
