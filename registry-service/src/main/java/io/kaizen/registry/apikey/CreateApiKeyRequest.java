package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

/** {@code POST /api/v1/api-keys}. Scopes are permissions ({@code resource:action}) the caller holds itself. */
public record CreateApiKeyRequest(
        @NotBlank @Size(max = 100) String name,
        @NotEmpty @Size(max = 32) List<@NotBlank @Size(max = 64) String> scopes,
        @Size(min = 1, max = 255) String teamId,
        Instant expiresAt) {
}
