package io.kaizen.governance.trigger;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What the approval triggers look at for one invocation. {@code priorUserInvocations} is the number of earlier
 * decisions of this user for this agent inside the rate-trigger window and {@code firstInvocation} whether this
 * is the user's first; both are null when the trigger needing them is off.
 */
public record TriggerInput(
        BigDecimal estimatedCost,
        Integer tokens,
        String payload,
        String environment,
        String userId,
        Long priorUserInvocations,
        Boolean firstInvocation,
        Instant agentCreatedAt,
        Instant now) {
}
