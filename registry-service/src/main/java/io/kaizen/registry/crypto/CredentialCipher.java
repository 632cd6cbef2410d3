package io.kaizen.registry.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.TemporalAmount;
import java.util.HexFormat;
import java.util.List;

import com.macasaet.fernet.Key;
import com.macasaet.fernet.StringValidator;
import com.macasaet.fernet.Token;
import com.macasaet.fernet.TokenValidationException;

import javax.crypto.spec.IvParameterSpec;

/**
 * Fernet encryption of credentials, byte-compatible with the Python {@code cryptography} package the original
 * system used. The first key encrypts; any key decrypts, so keys rotate without downtime. Pure and thread-safe.
 */
public final class CredentialCipher {

    /** Credentials do not expire with age: a token is valid as long as one of our keys verifies it. */
    private static final StringValidator NO_EXPIRY = new StringValidator() {
        @Override
        public TemporalAmount getTimeToLive() {
            return Duration.ofDays(365L * 200);
        }
    };
    private static final byte VERSION = (byte) 0x80;

    private final List<Key> keys;
    private final String currentFingerprint;
    private final SecureRandom random = new SecureRandom();

    public CredentialCipher(List<String> keysNewestFirst) {
        if (keysNewestFirst.isEmpty()) {
            throw new InvalidKeyException("no credential encryption key is configured");
        }
        this.keys = keysNewestFirst.stream().map(CredentialCipher::key).toList();
        this.currentFingerprint = fingerprint(keysNewestFirst.get(0));
    }

    /** Encrypts with the newest key. */
    public String encrypt(String plaintext) {
        return Token.generate(random, keys.get(0), plaintext).serialise();
    }

    /** Decrypts with whichever configured key made the token. */
    public String decrypt(String token) {
        try {
            return Token.fromString(token).validateAndDecrypt(keys, NO_EXPIRY);
        } catch (TokenValidationException | IllegalArgumentException e) {
            throw new UndecryptableException();
        }
    }

    /** A short, non-secret identifier of the newest key, stored next to each token to find rows to rotate. */
    public String currentKeyFingerprint() {
        return currentFingerprint;
    }

    /** The token the reference implementation makes for these inputs (used to prove compatibility). */
    static String encrypt(String key, String plaintext, Instant timestamp, byte[] iv) {
        Key k = key(key);
        IvParameterSpec ivSpec = new IvParameterSpec(iv);
        byte[] cipherText = k.encrypt(plaintext.getBytes(StandardCharsets.UTF_8), ivSpec);
        byte[] hmac = k.sign(VERSION, timestamp, ivSpec, cipherText);
        return new FixedToken(timestamp, ivSpec, cipherText, hmac).serialise();
    }

    public static String fingerprint(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.strip().getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Key key(String encoded) {
        try {
            return new Key(encoded.strip());
        } catch (RuntimeException e) {
            throw new InvalidKeyException("Fernet key must be 32 url-safe base64-encoded bytes");
        }
    }

    /** A token built from given parts; Token's constructor is protected. */
    private static final class FixedToken extends Token {
        FixedToken(Instant timestamp, IvParameterSpec iv, byte[] cipherText, byte[] hmac) {
            super(VERSION, timestamp, iv, cipherText, hmac);
        }
    }

    /** A configured key is not a Fernet key; the message never contains the key. */
    public static final class InvalidKeyException extends RuntimeException {
        InvalidKeyException(String message) {
            super(message, null, false, false);
        }
    }

    /** No configured key verifies the token (tampered, or made with a key no longer configured). */
    public static final class UndecryptableException extends RuntimeException {
        UndecryptableException() {
            super("stored credentials cannot be decrypted with the configured keys", null, false, false);
        }
    }
}
