package io.kaizen.common.events;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Removes credentials from request headers before they leave the gateway in an {@code invocation.*} event's
 * {@code request.headers}, and again before lineage keeps them: a lineage row lives for its retention period and is
 * exported, so lineage never trusts the emitter to have done it.
 */
public final class CredentialHeaders {

    /** Most headers kept: enough for any real client, and an event stays small whatever a caller sends. */
    public static final int MAX_HEADERS = 64;
    /** Longest value kept; a longer one is cut (the User-Agent has its own bound at the edge). */
    public static final int MAX_VALUE = 1024;

    private static final Set<String> NAMED = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-api-key", "x-kaizen-service-token");
    /** Parts of a header name that say its value is a credential whatever the header is called. */
    private static final String[] CREDENTIAL_PARTS = {"auth", "token", "secret", "password", "passwd", "api-key",
            "apikey", "signature", "credential", "cookie", "session-key", "private"};

    private CredentialHeaders() {
    }

    /**
     * The headers without credentials, names lowercased and sorted, at most {@link #MAX_HEADERS} of them (first
     * names in sort order), values cut to {@link #MAX_VALUE} characters; null when none is left.
     */
    public static Map<String, String> strip(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        TreeMap<String, String> kept = new TreeMap<>();
        headers.forEach((name, value) -> {
            String lower = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
            if (!lower.isEmpty() && value != null && !isCredential(lower)) {
                kept.merge(lower, value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value,
                        (first, second) -> first);
            }
        });
        while (kept.size() > MAX_HEADERS) {
            kept.pollLastEntry();
        }
        return kept.isEmpty() ? null : kept;
    }

    /** Whether a header of this (lowercased) name carries a credential. */
    public static boolean isCredential(String lowerName) {
        if (NAMED.contains(lowerName)) {
            return true;
        }
        for (String part : CREDENTIAL_PARTS) {
            if (lowerName.contains(part)) {
                return true;
            }
        }
        return false;
    }
}
