package io.kaizen.common.security;

import java.util.Set;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a verified API key into an identity: principal name = key id, no roles, and the attributes
 * {@link CurrentPrincipal} and {@link PermissionAugmentor} read (organisation, team, key id and prefix, scopes).
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    private final ApiKeyVerifier verifier;

    ApiKeyIdentityProvider(ApiKeyVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
        return verifier.verify(request.keyHash()).map(verification -> {
            if (!verification.valid() || verification.apiKeyId() == null || verification.organizationId() == null) {
                throw new AuthenticationFailedException("unknown, revoked or expired API key");
            }
            QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(verification.apiKeyId()))
                    .addAttribute(CurrentPrincipal.ORGANIZATION, verification.organizationId())
                    .addAttribute(CurrentPrincipal.API_KEY_ID, verification.apiKeyId())
                    .addAttribute(CurrentPrincipal.API_KEY_PREFIX, verification.prefix())
                    .addAttribute(PermissionAugmentor.SCOPES,
                            verification.scopes() == null ? Set.<String>of() : Set.copyOf(verification.scopes()));
            if (verification.ownerId() != null) {
                identity.addAttribute(CurrentPrincipal.API_KEY_OWNER, verification.ownerId());
            }
            if (verification.teamId() != null) {
                identity.addAttribute(CurrentPrincipal.TEAM, verification.teamId());
            }
            return identity.build();
        });
    }
}
