package io.kaizen.lineage.service;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Removes credentials from request headers before lineage keeps them. The gateway already leaves them out; lineage
 * removes them again because a lineage row lives for its retention period and is exported.
 */
public final class CredentialHeaders {

    private static final Set<String> NAMED = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-api-key", "x-kaizen-service-token");
    /** Parts of a header name that say its value is a credential whatever the header is called. */
    private static final String[] CREDENTIAL_PARTS = {"auth", "token", "secret", "password", "passwd", "api-key",
            "apikey", "signature", "credential", "cookie", "session-key", "private"};

    private CredentialHeaders() {
    }

    /** The headers without credentials, names lowercased and sorted; null when there are none. */
    public static Map<String, String> strip(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        Map<String, String> kept = new TreeMap<>();
        headers.forEach((name, value) -> {
            String lower = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
            if (!lower.isEmpty() && value != null && !isCredential(lower)) {
                kept.put(lower, value);
            }
        });
        return kept.isEmpty() ? null : kept;
    }

    static boolean isCredential(String lowerName) {
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
