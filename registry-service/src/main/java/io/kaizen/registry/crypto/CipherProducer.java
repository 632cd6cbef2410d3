package io.kaizen.registry.crypto;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/**
 * Builds the cipher at start-up, so a service without a valid key refuses to start instead of storing
 * credentials it could never read again.
 */
public class CipherProducer {

    @Produces
    @ApplicationScoped
    @Startup
    CredentialCipher cipher(FernetKeys keys) {
        if (keys.newestFirst().isEmpty()) {
            throw new CredentialCipher.InvalidKeyException("registry-service needs a credential encryption key: set "
                    + "kaizen.crypto.keys or EXTERNAL_AGENT_ENCRYPTION_KEY (" + LaunchMode.current() + " mode)");
        }
        return new CredentialCipher(keys.newestFirst());
    }
}
