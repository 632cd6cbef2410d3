package io.kaizen.gateway.adapter;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing (standardwebhooks.com): {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">}. The key is the base64 after a
 * {@code whsec_} prefix, otherwise the secret's UTF-8 bytes. Because the timestamp is signed, a receiver can refuse
 * replays.
 *
 * <p>For receivers of the original system, a legacy header of the agent's choosing can carry the hex HMAC of the body
 * alone, keyed with the secret's UTF-8 bytes as that system did, in SHA-256 or SHA-512. Organisation webhooks of
 * {@code legacy} signing get that system's headers with the timestamp signed too ({@link #signTimestamped}).
 */
public final class WebhookSignature {

    static final String PREFIX = "whsec_";

    private WebhookSignature() {
    }

    /** The request signed as message {@code id} at {@code now}. */
    public static OutboundRequest sign(OutboundRequest request, String secret, String id, Instant now) {
        String timestamp = Long.toString(now.getEpochSecond());
        byte[] signed = concat((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), request.body());
        String signature = "v1," + Base64.getEncoder().encodeToString(hmac("HmacSHA256", key(secret), signed));
        return request.withHeader("webhook-id", id)
                .withHeader("webhook-timestamp", timestamp)
                .withHeader("webhook-signature", signature);
    }

    /**
     * The original system's headers, with the timestamp signed: {@code X-Webhook-Timestamp} (Unix seconds) and
     * {@code X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">}, keyed with the secret's UTF-8
     * bytes (the whole {@code whsec_…} text, as that system keyed its HMAC).
     */
    public static OutboundRequest signTimestamped(OutboundRequest request, String secret, Instant now) {
        String timestamp = Long.toString(now.getEpochSecond());
        byte[] signed = concat((timestamp + ".").getBytes(StandardCharsets.UTF_8), request.body());
        return request.withHeader("X-Webhook-Timestamp", timestamp)
                .withHeader("X-Webhook-Signature", "sha256="
                        + HexFormat.of().formatHex(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), signed)));
    }

    /** The body's hex HMAC with {@code algorithm} (sha256, sha512) in {@code header}, as the original system sent it. */
    static OutboundRequest signLegacy(OutboundRequest request, String secret, String algorithm, String header) {
        String mac = switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "sha256" -> "HmacSHA256";
            case "sha512" -> "HmacSHA512";
            default -> throw new UpstreamException("the agent's hmac algorithm must be sha256 or sha512", false, null);
        };
        return request.withHeader(header,
                HexFormat.of().formatHex(hmac(mac, secret.getBytes(StandardCharsets.UTF_8), request.body())));
    }

    private static byte[] key(String secret) {
        if (!secret.startsWith(PREFIX)) {
            return secret.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new UpstreamException("the agent's hmac secret_key starts with " + PREFIX
                    + " but the rest is not base64", false, null);
        }
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] content) {
        if (key.length == 0) {
            throw new UpstreamException("the agent's hmac secret_key is empty", false, null);
        }
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] all = new byte[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
