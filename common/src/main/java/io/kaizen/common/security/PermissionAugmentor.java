package io.kaizen.common.security;

import java.security.Permission;
import java.util.Set;

import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Grants each authenticated identity the permissions of its roles, so resources declare what they need with
 * {@code @PermissionsAllowed("external_agents:invoke")}. Identities that already carry explicit scopes (API keys)
 * keep exactly those.
 */
@ApplicationScoped
public class PermissionAugmentor implements SecurityIdentityAugmentor {

    /** Identity attribute holding explicit scopes; when present, roles grant nothing more. */
    public static final String SCOPES = "kaizen.scopes";

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().item(identity);
        }
        Set<String> granted = granted(identity);
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity)
                .addPermissionChecker(requested -> Uni.createFrom().item(grants(granted, requested)))
                .build());
    }

    /** What an identity may do: an API key's scopes, else the permissions of its roles. */
    public static Set<String> granted(SecurityIdentity identity) {
        Set<String> scopes = identity.getAttribute(SCOPES);
        return scopes != null ? scopes : Permissions.forRoles(identity.getRoles());
    }

    static boolean grants(Set<String> granted, Permission requested) {
        if (!(requested instanceof StringPermission wanted)) {
            return false;
        }
        for (String permission : granted) {
            int colon = permission.indexOf(':');
            StringPermission mine = new StringPermission(permission.substring(0, colon), permission.substring(colon + 1));
            if (mine.implies(wanted)) {
                return true;
            }
        }
        return false;
    }
}
