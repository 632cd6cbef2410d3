package io.kaizen.common.security;

import java.util.Set;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The API-key half of the suite's one authentication: {@code Authorization: Bearer sk_live_…} or
 * {@code X-API-Key: sk_live_…}. It runs before the JWT mechanism (higher priority) and steps aside, returning no
 * identity, for any other bearer token, which smallrye-jwt then verifies as before.
 *
 * <p>A presented key is never passed on: it is checked for shape here (so garbage never reaches a database or the
 * registry) and reduced to its hash for {@link ApiKeyIdentityProvider}.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    public static final String HEADER = "X-API-Key";
    private static final String BEARER = "bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String authorization = context.request().getHeader(HttpHeaderNames.AUTHORIZATION);
        String headerKey = context.request().getHeader(HEADER);
        String bearer = bearerToken(authorization);
        boolean bearerIsKey = bearer != null && bearer.startsWith(ApiKeyFormat.PREFIX);
        if (!bearerIsKey && headerKey == null) {
            return Uni.createFrom().nullItem();
        }
        // two different credentials on one request would leave it to chance which one's rights apply
        if (headerKey != null && authorization != null && !headerKey.equals(bearer)) {
            return refuse();
        }
        String key = bearerIsKey ? bearer : headerKey;
        if (!ApiKeyFormat.isWellFormed(key)) {
            return refuse();
        }
        return identityProviderManager.authenticate(new ApiKeyAuthenticationRequest(ApiKeyFormat.hash(key)));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, HttpHeaderNames.WWW_AUTHENTICATE, "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.OTHER_HEADER, "api-key"));
    }

    /** Ahead of smallrye-jwt (which has the default priority), so it sees {@code sk_live_} bearers first. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1000;
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }

    private static Uni<SecurityIdentity> refuse() {
        return Uni.createFrom().failure(new AuthenticationFailedException("malformed or ambiguous API key"));
    }
}
