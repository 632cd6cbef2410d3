package io.kaizen.registry.crypto;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * Credential encryption keys (Fernet: 32 url-safe base64 bytes). The first key encrypts, every key decrypts.
 * {@code kaizen.crypto.keys} lists them newest first; the original system's variables are accepted too:
 * {@code EXTERNAL_AGENT_ENCRYPTION_KEY_NEW} (newest, during a rotation) and {@code EXTERNAL_AGENT_ENCRYPTION_KEY}.
 */
@ConfigMapping(prefix = "kaizen.crypto")
public interface FernetKeys {

    /** Fernet keys, newest first. */
    Optional<List<String>> keys();

    /** The original's rotation variable: the key being rotated to. */
    @WithName("original.new-key")
    Optional<String> originalNewKey();

    /** The original's key variable. */
    @WithName("original.key")
    Optional<String> originalKey();

    /** All configured keys, newest first, without repeats. */
    default List<String> newestFirst() {
        LinkedHashSet<String> all = new LinkedHashSet<>();
        originalNewKey().filter(k -> !k.isBlank()).ifPresent(all::add);
        keys().ifPresent(list -> list.stream().map(String::strip).filter(k -> !k.isEmpty()).forEach(all::add));
        originalKey().filter(k -> !k.isBlank()).ifPresent(all::add);
        return new ArrayList<>(all);
    }
}
