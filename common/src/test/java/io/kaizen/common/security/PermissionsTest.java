package io.kaizen.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    void theDocumentedPatternMatchesEveryPermissionAndNoOtherPairing() {
        Set<String> resources = new LinkedHashSet<>();
        Set<String> actions = new LinkedHashSet<>();
        Permissions.ALL.forEach(permission -> {
            resources.add(permission.substring(0, permission.indexOf(':')));
            actions.add(permission.substring(permission.indexOf(':') + 1));
        });
        for (String resource : resources) {
            for (String action : actions) {
                String scope = resource + ":" + action;
                assertThat(scope.matches(Permissions.PATTERN)).as(scope).isEqualTo(Permissions.ALL.contains(scope));
            }
        }
        assertThat("x" + Permissions.AGENTS_READ).doesNotMatch(Permissions.PATTERN);
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

    /** docs/api-keys.md lists the scopes a key may hold: every permission, and nothing else. */
    @Test
    void theApiKeyGuideListsEveryScope() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("docs/api-keys.md"))) {
            root = root.getParent();
            assertThat(root).as("docs/api-keys.md above the module").isNotNull();
        }
        String guide = Files.readString(root.resolve("docs/api-keys.md"));
        String section = guide.substring(guide.indexOf("## Scopes"), guide.indexOf("## Events"));
        Matcher scope = Pattern.compile("`([a-z_]+:[a-z_]+)`").matcher(section);
        Set<String> listed = new LinkedHashSet<>();
        while (scope.find()) {
            listed.add(scope.group(1));
        }
        listed.remove("external_agents:write");
        assertThat(listed).containsExactlyInAnyOrderElementsOf(Permissions.ALL);
    }
}
