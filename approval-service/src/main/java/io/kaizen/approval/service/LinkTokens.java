package io.kaizen.approval.service;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.kaizen.approval.domain.ApprovalLink;

/**
 * The tokens of approver-page links: {@code <link id>.<signature>}, the signature an HMAC-SHA-256 over the link's id,
 * request, recipient and expiry, so none of them can be changed without the key; and the form token of a link's page,
 * an HMAC over its id under another label, which a cross-site form cannot know. Pure; compares in constant time.
 */
public final class LinkTokens {

    static final String LINK_PREFIX = "apl";
    private static final Pattern TOKEN = Pattern.compile(LINK_PREFIX + "_[0-9A-Z]{26}\\.[A-Za-z0-9_-]{43}");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    public LinkTokens(String key) {
        this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The token of a link. */
    public String token(ApprovalLink link) {
        return link.id + "." + sign("approval-link", link.id, link.requestId, link.recipient,
                Long.toString(link.expiresAt.getEpochSecond()));
    }

    /** The link id a token names, or null when it is not shaped like a token (read nothing for those). */
    public static String linkId(String token) {
        return token != null && TOKEN.matcher(token).matches() ? token.substring(0, token.indexOf('.')) : null;
    }

    /** Whether {@code token} is the token of {@code link} as stored. */
    public boolean matches(String token, ApprovalLink link) {
        return link != null && token != null && equal(token(link), token);
    }

    /** The form token of a link's page. */
    public String formToken(String linkId) {
        return sign("approval-form", linkId);
    }

    public boolean formMatches(String given, String linkId) {
        return given != null && equal(formToken(linkId), given);
    }

    private String sign(String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            // newline-separated: no field holds a newline, so two field lists never sign alike
            return BASE64URL.encodeToString(mac.doFinal(String.join("\n", parts).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static boolean equal(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
