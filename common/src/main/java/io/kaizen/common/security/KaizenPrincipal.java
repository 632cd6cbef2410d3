package io.kaizen.common.security;

import java.util.Set;

/**
 * Who is calling, in the terms of lineage layer 3: the organisation every record is scoped to, and how the caller
 * authenticated (JWT subject, or API key id and display prefix).
 */
public record KaizenPrincipal(String subject, String organizationId, String teamId, String email, Set<String> roles,
        String method, String apiKeyId, String apiKeyPrefix) {

    public static final String JWT = "jwt";
    public static final String API_KEY = "api_key";
}
