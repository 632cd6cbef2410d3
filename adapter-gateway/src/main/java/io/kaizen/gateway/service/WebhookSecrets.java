package io.kaizen.gateway.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.kaizen.gateway.config.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The webhooks' signing secrets: made as {@code whsec_} + base64 of 32 random bytes, kept AES-256-GCM encrypted
 * (a fresh 12-byte nonce each time, the webhook id as associated data so a ciphertext cannot be moved to another
 * webhook), and decrypted only in memory when a delivery is signed. The gateway must sign with the secret itself
 * (an HMAC needs it), so a one-way hash is no option; encryption keeps a database dump from giving the secrets away.
 */
@ApplicationScoped
public class WebhookSecrets {

    static final String PREFIX = "whsec_";
    private static final String VERSION = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    WebhookSecrets(WebhookConfig config) {
        this.key = config.encryptionKey().map(WebhookSecrets::derive).orElse(null);
    }

    /** A new secret, {@code whsec_} + base64 of 32 random bytes. */
    public String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** The secret encrypted for the webhook {@code webhookId}. */
    public String encrypt(String webhookId, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, webhookId, nonce)
                .doFinalQuietly(secret.getBytes(StandardCharsets.UTF_8));
        return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length)
                .put(nonce).put(sealed).array());
    }

    /** The secret of the webhook {@code webhookId}; fails when the ciphertext is not its own or the key changed. */
    public String decrypt(String webhookId, String ciphertext) {
        if (!ciphertext.startsWith(VERSION)) {
            throw new IllegalStateException("webhook " + webhookId + " has a secret in an unknown format");
        }
        byte[] all = Base64.getDecoder().decode(ciphertext.substring(VERSION.length()));
        byte[] nonce = Arrays.copyOfRange(all, 0, NONCE_BYTES);
        byte[] sealed = Arrays.copyOfRange(all, NONCE_BYTES, all.length);
        return new String(cipher(Cipher.DECRYPT_MODE, webhookId, nonce).doFinalQuietly(sealed), StandardCharsets.UTF_8);
    }

    private Sealing cipher(int mode, String webhookId, byte[] nonce) {
        if (key == null) {
            throw new IllegalStateException("kaizen.webhooks.encryption-key is not set");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(webhookId.getBytes(StandardCharsets.UTF_8));
            return new Sealing(cipher);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The AES-256 key: HMAC-SHA256 of a fixed label under the configured text, so any long text serves. */
    private static SecretKeySpec derive(String master) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(master.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return new SecretKeySpec(mac.doFinal("kaizen-webhook-secrets-v1".getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private record Sealing(Cipher cipher) {
        byte[] doFinalQuietly(byte[] input) {
            try {
                return cipher.doFinal(input);
            } catch (GeneralSecurityException e) {
                // a wrong key or a ciphertext of another webhook: say so without any of the bytes
                throw new IllegalStateException("a webhook secret could not be decrypted (" + e.getClass().getSimpleName()
                        + ")");
            }
        }
    }
}
