package io.kaizen.registry.service;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.security.Redacted;
import io.kaizen.registry.crypto.CredentialCipher;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Seals an agent's secrets (auth credentials and the secret parts of platform_config) into one Fernet token and
 * opens it again. Encryption runs on a worker thread and resumes on the caller's context. The work is submitted
 * unordered: each call stands alone, and ordered calls of one context would wait for each other.
 */
@ApplicationScoped
public class CredentialStore {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final CredentialCipher cipher;
    private final ObjectMapper mapper;
    private final Vertx vertx;

    CredentialStore(CredentialCipher cipher, ObjectMapper mapper, Vertx vertx) {
        this.cipher = cipher;
        this.mapper = mapper;
        this.vertx = vertx;
    }

    /** The decrypted secrets of an agent. */
    public record Secrets(Map<String, Object> credentials, Map<String, Object> platformSecrets) {

        public static final Secrets NONE = new Secrets(Map.of(), Map.of());

        @Override
        public String toString() {
            return Redacted.toString(this, "credentials", "platformSecrets");
        }
    }

    /** A sealed token and the fingerprint of the key that made it. */
    public record Sealed(String token, String keyFingerprint) {

        /** Ciphertext in a log would outlive a rotation of the key that opens it. */
        @Override
        public String toString() {
            return Redacted.toString(this, "token");
        }
    }

    public Uni<Sealed> seal(Secrets secrets) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("credentials", secrets.credentials());
        document.put("platform_secrets", secrets.platformSecrets());
        return vertx.executeBlocking(Uni.createFrom().item(() -> new Sealed(cipher.encrypt(write(document)),
                cipher.currentKeyFingerprint())), false);
    }

    public Uni<Secrets> open(String token) {
        if (token == null) {
            return Uni.createFrom().item(Secrets.NONE);
        }
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            Map<String, Object> document = read(cipher.decrypt(token));
            return new Secrets(map(document.get("credentials")), map(document.get("platform_secrets")));
        }), false);
    }

    public String currentKeyFingerprint() {
        return cipher.currentKeyFingerprint();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private String write(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // the parser's message quotes the input, which is a secret: neither it nor the cause may travel on
            throw new IllegalStateException("credentials are not serialisable");
        }
    }

    private Map<String, Object> read(String json) {
        try {
            return mapper.readValue(json, OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("decrypted credentials are not JSON (column "
                    + (e.getLocation() == null ? "?" : e.getLocation().getColumnNr()) + ")");
        }
    }
}
