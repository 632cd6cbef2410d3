package io.kaizen.common.security;

import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Who is calling, in the terms of lineage layer 3: the organisation every record is scoped to, and how the caller
 * authenticated (JWT subject, or API key id and display prefix). A key caller's {@code subject} is the key's id and
 * {@code apiKeyOwner} the subject of the user who created the key (null for a JWT caller, and for keys the registry
 * knows no creator of).
 */
public record KaizenPrincipal(String subject, String organizationId, String teamId, String email, Set<String> roles,
        String method, String apiKeyId, String apiKeyPrefix, String apiKeyOwner) {

    public static final String JWT = "jwt";
    public static final String API_KEY = "api_key";

    /**
     * The people this caller stands for: its subject and, for a key, the key's owner. Two callers are the same person
     * when these overlap (a user and a key they created, or two keys of one user).
     */
    @JsonIgnore
    public Set<String> persons() {
        return Stream.of(subject, apiKeyOwner).filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
    }
}
