package io.kaizen.common.security;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The role → permission matrix (DESIGN §8). Permissions are {@code resource:action}; API keys carry explicit
 * scopes of the same form instead of roles.
 */
public final class Permissions {

    public static final String AGENTS_CREATE = "external_agents:create";
    public static final String AGENTS_READ = "external_agents:read";
    public static final String AGENTS_UPDATE = "external_agents:update";
    public static final String AGENTS_DELETE = "external_agents:delete";
    public static final String AGENTS_INVOKE = "external_agents:invoke";
    public static final String POLICIES_READ = "policies:read";
    public static final String POLICIES_WRITE = "policies:write";
    public static final String LINEAGE_READ = "lineage:read";
    public static final String LINEAGE_EXPORT = "lineage:export";
    public static final String GDPR_REDACT = "gdpr:redact";
    public static final String APPROVALS_READ = "approvals:read";
    public static final String APPROVALS_APPROVE = "approvals:approve";
    public static final String AUDIT_READ = "audit:read";
    public static final String API_KEYS_READ = "api_keys:read";
    public static final String API_KEYS_CREATE = "api_keys:create";
    public static final String API_KEYS_DELETE = "api_keys:delete";
    public static final String WEBHOOKS_READ = "webhooks:read";
    public static final String WEBHOOKS_CREATE = "webhooks:create";
    public static final String WEBHOOKS_UPDATE = "webhooks:update";
    public static final String WEBHOOKS_DELETE = "webhooks:delete";

    public static final List<String> ALL = List.of(AGENTS_CREATE, AGENTS_READ, AGENTS_UPDATE, AGENTS_DELETE,
            AGENTS_INVOKE, POLICIES_READ, POLICIES_WRITE, LINEAGE_READ, LINEAGE_EXPORT, GDPR_REDACT, APPROVALS_READ,
            APPROVALS_APPROVE, AUDIT_READ, API_KEYS_READ, API_KEYS_CREATE, API_KEYS_DELETE, WEBHOOKS_READ, WEBHOOKS_CREATE,
            WEBHOOKS_UPDATE, WEBHOOKS_DELETE);

    /** {@link #ALL} as a regular expression for the documents (the {@code pattern} of an API key's scopes). */
    public static final String PATTERN = "^(external_agents:(create|read|update|delete|invoke)|policies:(read|write)"
            + "|lineage:(read|export)|gdpr:redact|approvals:(read|approve)|audit:read|api_keys:(read|create|delete)"
            + "|webhooks:(read|create|update|delete))$";

    private static final Map<String, Set<String>> BY_ROLE = Map.of(
            "org_owner", Set.copyOf(ALL),
            "org_admin", Set.copyOf(ALL),
            "developer", Set.of(AGENTS_CREATE, AGENTS_READ, AGENTS_UPDATE, AGENTS_INVOKE, POLICIES_READ, LINEAGE_READ,
                    APPROVALS_READ, API_KEYS_READ, API_KEYS_CREATE, API_KEYS_DELETE),
            "approver", Set.of(AGENTS_READ, APPROVALS_READ, APPROVALS_APPROVE, LINEAGE_READ),
            "auditor", Set.of(AGENTS_READ, POLICIES_READ, LINEAGE_READ, LINEAGE_EXPORT, APPROVALS_READ, AUDIT_READ),
            "viewer", Set.of(AGENTS_READ, POLICIES_READ));

    private Permissions() {
    }

    public static Set<String> forRoles(Iterable<String> roles) {
        Set<String> granted = new HashSet<>();
        for (String role : roles) {
            granted.addAll(BY_ROLE.getOrDefault(role, Set.of()));
        }
        return granted;
    }

    public static Set<String> roles() {
        return BY_ROLE.keySet();
    }
}
