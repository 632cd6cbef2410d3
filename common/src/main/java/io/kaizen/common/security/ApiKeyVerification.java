package io.kaizen.common.security;

import java.util.Set;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The registry's answer to "whose key has this hash?": the key's identity and scopes when it is known, not revoked
 * and not expired; {@code valid=false} otherwise. {@code ownerId} is the subject of the user who created the key: a
 * call made with the key acts for that user where it matters who is who (an approver may not approve a request they
 * made, with a key or without). Never carries the key or its hash.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApiKeyVerification(
        boolean valid,
        @Schema(nullable = true) String apiKeyId,
        @Schema(nullable = true) String organizationId,
        @Schema(nullable = true) String teamId,
        @Schema(nullable = true) String prefix,
        Set<String> scopes,
        @Schema(nullable = true) String ownerId) {

    public static ApiKeyVerification invalid() {
        return new ApiKeyVerification(false, null, null, null, null, Set.of(), null);
    }

    /** The body of {@code POST /internal/v1/api-keys/verify}. */
    @Schema(name = "ApiKeyVerificationRequest")
    public record Request(@Schema(required = true, pattern = "^[0-9a-f]{64}$",
            description = "Lower-case hex SHA-256 of the key") String keyHash) {

        /** The hash finds the key's identity here, so it is kept out of logs like the key. */
        @Override
        public String toString() {
            return Redacted.toString(this, "keyHash");
        }
    }
}
