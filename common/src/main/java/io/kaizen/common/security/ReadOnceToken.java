package io.kaizen.common.security;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A verified token whose claims are each read from the parsed token once. smallrye-jwt finds a claim's kind with
 * {@code Claims.valueOf(name)}, which throws (and catches) an exception for every claim outside the standard ones, so
 * each read of {@code org_id} or {@code team_id} cost an exception and its stack trace; a token is reused for many
 * requests ({@link VerifiedJwtIdentityProvider}), and its claims never change. The interface's accessors of the
 * standard claims ({@code getSubject}, {@code getGroups}, …) read through {@link #getClaim} too.
 */
final class ReadOnceToken implements JsonWebToken {

    private final JsonWebToken token;
    /** The claims read so far; only names the suite's code asks for, so a handful. */
    private final Map<String, Optional<Object>> claims = new ConcurrentHashMap<>();

    ReadOnceToken(JsonWebToken token) {
        this.token = token;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        return (T) claims.computeIfAbsent(claimName, name -> Optional.ofNullable(token.getClaim(name))).orElse(null);
    }

    @Override
    public String getName() {
        return token.getName();
    }

    @Override
    public Set<String> getClaimNames() {
        return token.getClaimNames();
    }
}
