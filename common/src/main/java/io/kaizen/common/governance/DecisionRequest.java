package io.kaizen.common.governance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.math.BigDecimal;
import java.util.List;

/** What the gateway asks governance before an invocation ({@code POST /internal/v1/decisions}). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DecisionRequest(
        String invocationId,
        String organizationId,
        String agentId,
        String userId,
        String subject,
        String teamId,
        List<String> roles,
        String environment,
        String ip,
        String country,
        BigDecimal estimatedCost,
        Integer tokens) {
}
