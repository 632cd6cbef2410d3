package io.kaizen.governance.policy;

import java.util.List;
import java.util.Set;

/**
 * A validated ABAC policy of one organisation. It applies when its target matches (empty target lists match
 * everything) and its conditions match ({@code all} or {@code any}; no conditions always match).
 */
public record Policy(String id, String name, Effect effect, int priority, boolean enabled, int version,
        Target target, boolean matchAll, List<Condition> conditions) {

    /** Which agents a policy is about: by id, platform or tag. */
    public record Target(Set<String> agentIds, Set<String> platforms, Set<String> tags) {

        public static final Target ALL = new Target(Set.of(), Set.of(), Set.of());

        public boolean matches(PolicyContext context) {
            // a simulation may name no agent, platform or tags: such a call is in no narrowed target
            return (agentIds.isEmpty() || (context.agentId() != null && agentIds.contains(context.agentId())))
                    && (platforms.isEmpty() || (context.platform() != null && platforms.contains(context.platform())))
                    && (tags.isEmpty() || context.tags().stream().anyMatch(tag -> tag != null && tags.contains(tag)));
        }
    }
}
