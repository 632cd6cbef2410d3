package io.kaizen.common.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses to start a service that would accept JWTs without checking who issued them and for whom: smallrye-jwt
 * checks {@code iss} and {@code aud} only when {@code mp.jwt.verify.issuer} and {@code mp.jwt.verify.audiences}
 * are set, and would otherwise take any token the configured key signed, whatever it was meant for. The dev and
 * test profiles set both for the devstack's tokens; production has no default (docs/operations.md).
 */
@ApplicationScoped
public class JwtVerificationSettings {

    static final String ISSUER = "mp.jwt.verify.issuer";
    static final String AUDIENCES = "mp.jwt.verify.audiences";

    void requireIssuerAndAudience(@Observes StartupEvent started, Config config) {
        List<String> missing = missing(config.getOptionalValue(ISSUER, String.class),
                config.getOptionalValue(AUDIENCES, String.class));
        if (!missing.isEmpty()) {
            throw new ConfigurationException(String.join("; ", missing));
        }
    }

    /** One message per setting that is absent or blank, naming the property and its environment variable. */
    static List<String> missing(Optional<String> issuer, Optional<String> audiences) {
        List<String> missing = new ArrayList<>();
        if (issuer.filter(value -> !value.isBlank()).isEmpty()) {
            missing.add(ISSUER + " (MP_JWT_VERIFY_ISSUER) is not set: the issuer every caller's JWT must name;"
                    + " it has no default outside the dev and test profiles");
        }
        if (audiences.filter(value -> !value.isBlank()).isEmpty()) {
            missing.add(AUDIENCES + " (MP_JWT_VERIFY_AUDIENCES) is not set: the audience every caller's JWT must"
                    + " carry; it has no default outside the dev and test profiles");
        }
        return missing;
    }
}
