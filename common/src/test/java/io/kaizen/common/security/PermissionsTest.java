package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.security.StringPermission;

class PermissionsTest {

    @Test
    void ownersHoldEveryPermissionViewersOnlyRead() {
        assertThat(Permissions.forRoles(List.of("org_owner"))).containsExactlyInAnyOrderElementsOf(Permissions.ALL);
        assertThat(Permissions.forRoles(List.of("viewer")))
                .containsExactlyInAnyOrder(Permissions.AGENTS_READ, Permissions.POLICIES_READ);
    }

    @Test
    void rolesCombineAndUnknownRolesGrantNothing() {
        assertThat(Permissions.forRoles(List.of("viewer", "approver"))).contains(Permissions.APPROVALS_APPROVE,
                Permissions.POLICIES_READ);
        assertThat(Permissions.forRoles(List.of("root", "admin"))).isEmpty();
    }

    @Test
    void grantsOnlyTheExactResourceAndAction() {
        Set<String> developer = Permissions.forRoles(List.of("developer"));
        assertThat(PermissionAugmentor.grants(developer, new StringPermission("external_agents", "invoke"))).isTrue();
        assertThat(PermissionAugmentor.grants(developer, new StringPermission("external_agents", "delete"))).isFalse();
        assertThat(PermissionAugmentor.grants(developer, new StringPermission("gdpr", "redact"))).isFalse();
    }
}
