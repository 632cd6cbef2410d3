package io.kaizen.registry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Compatibility with tokens made by Python's {@code cryptography} package (reference/fernet-vectors.json). */
class CredentialCipherTest {

    private static final JsonNode VECTORS = load();

    private static JsonNode load() {
        try (InputStream in = CredentialCipherTest.class.getResourceAsStream("/fernet-vectors.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void decryptsEveryReferenceToken() {
        for (JsonNode v : VECTORS.get("vectors")) {
            CredentialCipher cipher = new CredentialCipher(List.of(v.get("key").asText()));
            assertThat(cipher.decrypt(v.get("token").asText())).isEqualTo(v.get("plaintext").asText());
        }
    }

    @Test
    void reproducesEveryReferenceTokenFromKeyTimestampIvAndPlaintext() {
        for (JsonNode v : VECTORS.get("vectors")) {
            String token = CredentialCipher.encrypt(v.get("key").asText(), v.get("plaintext").asText(),
                    Instant.ofEpochSecond(v.get("timestamp").asLong()), HexFormat.of().parseHex(v.get("iv_hex").asText()));
            assertThat(token).isEqualTo(v.get("token").asText());
        }
    }

    @Test
    void rejectsTamperedForeignAndMalformedTokens() {
        for (JsonNode v : VECTORS.get("must_reject")) {
            CredentialCipher cipher = new CredentialCipher(List.of(v.get("key").asText()));
            assertThatThrownBy(() -> cipher.decrypt(v.get("token").asText()))
                    .as(v.get("why").asText())
                    .isInstanceOf(CredentialCipher.UndecryptableException.class)
                    .hasMessageNotContaining(v.get("key").asText());
        }
    }

    @Test
    void theFirstKeyEncryptsAndEveryKeyDecrypts() {
        JsonNode rotation = VECTORS.get("rotation");
        List<String> keys = List.of(rotation.get("keys_newest_first").get(0).asText(),
                rotation.get("keys_newest_first").get(1).asText());
        CredentialCipher cipher = new CredentialCipher(keys);
        assertThat(cipher.decrypt(rotation.get("token_made_with_second_key").asText()))
                .isEqualTo(rotation.get("plaintext").asText());

        String fresh = cipher.encrypt("{\"token\":\"s3cret\"}");
        assertThat(new CredentialCipher(List.of(keys.get(0))).decrypt(fresh)).isEqualTo("{\"token\":\"s3cret\"}");
        assertThatThrownBy(() -> new CredentialCipher(List.of(keys.get(1))).decrypt(fresh))
                .isInstanceOf(CredentialCipher.UndecryptableException.class);
        assertThat(cipher.currentKeyFingerprint()).isEqualTo(CredentialCipher.fingerprint(keys.get(0)))
                .isNotEqualTo(CredentialCipher.fingerprint(keys.get(1)));
    }

    @Test
    void refusesMissingAndInvalidKeysWithoutEchoingThem() {
        assertThatThrownBy(() -> new CredentialCipher(List.of()))
                .isInstanceOf(CredentialCipher.InvalidKeyException.class);
        assertThatThrownBy(() -> new CredentialCipher(List.of("too-short-secret-key")))
                .isInstanceOf(CredentialCipher.InvalidKeyException.class)
                .hasMessage("Fernet key must be 32 url-safe base64-encoded bytes");
    }
}
