package io.kaizen.common.security;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a bearer JWT into an identity as the built-in MP-JWT validator does, but verifies each token once: a caller
 * sends the same token with every request, and its verification (signature, claims, JSON) was the largest cost of
 * an invoke in the gateway. A verified token is reused until the earlier of its {@code exp} and
 * {@link #MAX_REUSE} after its verification, so a change of the verification key takes effect within that time; a
 * token that fails is never kept and fails again each time. At most {@link #MAX_TOKENS} are kept (then they are
 * all dropped), which bounds the memory a flood of distinct valid tokens could take; a kept token reads each of
 * its claims once ({@link ReadOnceToken}). Tried before the built-in validator (higher priority), which it makes
 * idle for JWTs.
 */
@ApplicationScoped
public class VerifiedJwtIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    static final int MAX_TOKENS = 1024;
    static final Duration MAX_REUSE = Duration.ofSeconds(60);

    private record Verified(JsonWebToken token, long reusableUntilMillis) {
    }

    private final JWTParser parser;
    private final Counter verifications;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    VerifiedJwtIdentityProvider(JWTParser parser, MeterRegistry registry) {
        this.parser = parser;
        this.verifications = Counter.builder("kaizen.security.jwt.verifications")
                .description("Bearer JWTs verified in full (signature and claims); a token reused is not counted")
                .register(registry);
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Above the default that smallrye-jwt's validator keeps. */
    @Override
    public int priority() {
        return IdentityProvider.super.priority() + 1;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!(request.getToken() instanceof JsonWebTokenCredential)) {
            return Uni.createFrom().nullItem();
        }
        JsonWebToken token;
        try {
            token = verified(request.getToken().getToken(), System.currentTimeMillis());
        } catch (ParseException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException(e));
        }
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder().setPrincipal(token)
                .addCredential(request.getToken())
                .addRoles(token.getGroups())
                .addAttribute(SecurityIdentity.USER_ATTRIBUTE, token);
        RoutingContext routing = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routing != null) {
            identity.addAttribute(RoutingContext.class.getName(), routing);
        }
        return Uni.createFrom().item(identity.build());
    }

    /** The token verified now, or at most {@link #MAX_REUSE} ago and not expired since. */
    JsonWebToken verified(String raw, long nowMillis) throws ParseException {
        Verified known = verified.get(raw);
        if (known != null) {
            if (nowMillis < known.reusableUntilMillis()) {
                return known.token();
            }
            verified.remove(raw, known);
        }
        verifications.increment();
        JsonWebToken token = new ReadOnceToken(parser.parse(raw));
        long until = Math.min(nowMillis + MAX_REUSE.toMillis(), token.getExpirationTime() * 1000);
        if (verified.size() >= MAX_TOKENS) {
            verified.clear();
        }
        verified.put(raw, new Verified(token, until));
        return token;
    }
}
