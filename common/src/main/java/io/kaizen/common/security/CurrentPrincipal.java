package io.kaizen.common.security;

import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.kaizen.common.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

/**
 * The caller of the current request as a {@link KaizenPrincipal}. A credential without an organisation is refused,
 * and so is a token whose {@code sub}, {@code org_id} or {@code team_id} is longer than the columns that keep them
 * (lineage and every organisation-scoped table use varchar(255)): an over-long claim would fail every insert of it.
 */
@RequestScoped
public class CurrentPrincipal {

    /** Identity attributes set by non-JWT authentication mechanisms. */
    public static final String ORGANIZATION = "kaizen.org_id";
    public static final String TEAM = "kaizen.team_id";
    public static final String API_KEY_ID = "kaizen.api_key_id";
    public static final String API_KEY_PREFIX = "kaizen.api_key_prefix";
    public static final String API_KEY_OWNER = "kaizen.api_key_owner";

    /** The longest identifier a token may carry into a record. */
    static final int MAX_CLAIM = 255;

    private final SecurityIdentity identity;
    private KaizenPrincipal principal;

    CurrentPrincipal(SecurityIdentity identity) {
        this.identity = identity;
    }

    public KaizenPrincipal get() {
        if (principal == null) {
            principal = resolve();
        }
        return principal;
    }

    public String organizationId() {
        return get().organizationId();
    }

    private KaizenPrincipal resolve() {
        if (identity.isAnonymous()) {
            throw ProblemException.unauthorized("Missing or invalid credentials");
        }
        Set<String> roles = identity.getRoles();
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            String org = claim(jwt, "org_id");
            if (org == null || org.isBlank()) {
                throw ProblemException.unauthorized("Token has no org_id claim");
            }
            return new KaizenPrincipal(bounded("sub", jwt.getSubject()), bounded("org_id", org),
                    bounded("team_id", claim(jwt, "team_id")), claim(jwt, "email"), roles,
                    KaizenPrincipal.JWT, null, null, null);
        }
        String org = identity.getAttribute(ORGANIZATION);
        if (org == null) {
            throw ProblemException.unauthorized("Credential has no organisation");
        }
        return new KaizenPrincipal(identity.getPrincipal().getName(), org, identity.getAttribute(TEAM), null, roles,
                KaizenPrincipal.API_KEY, identity.getAttribute(API_KEY_ID), identity.getAttribute(API_KEY_PREFIX),
                identity.getAttribute(API_KEY_OWNER));
    }

    /** A string claim, or null when absent; a claim of another JSON type is refused rather than cast. */
    private static String claim(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof jakarta.json.JsonString text) {
            return text.getString();
        }
        throw ProblemException.unauthorized("Token claim " + name + " must be a string");
    }

    private static String bounded(String claim, String value) {
        if (value != null && value.length() > MAX_CLAIM) {
            throw ProblemException.unauthorized("Token claim " + claim + " is longer than " + MAX_CLAIM + " characters");
        }
        return value;
    }
}
