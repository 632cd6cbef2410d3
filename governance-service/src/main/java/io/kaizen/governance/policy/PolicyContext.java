package io.kaizen.governance.policy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** Everything a policy may look at for one invocation; null fields are unknown and match no condition. */
public record PolicyContext(
        String organizationId,
        String agentId,
        String platform,
        List<String> tags,
        String environment,
        String userId,
        String subject,
        List<String> roles,
        String teamId,
        String ip,
        String country,
        BigDecimal estimatedCost,
        Integer tokens,
        Instant now) {

    public PolicyContext {
        tags = tags == null ? List.of() : List.copyOf(tags);
        roles = roles == null ? List.of() : List.copyOf(roles);
    }
}
