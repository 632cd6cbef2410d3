package io.kaizen.common.governance;

import java.math.BigDecimal;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An agent's effective governance settings and its spend and use in the current UTC day and month, as governance
 * reports them to registry for agent lists and details ({@code POST /internal/v1/agents/usage} with
 * {@code {"agent_ids": [...]}}, answering {@code {"items": [AgentUsage...]}}, one item per known agent).
 * {@code settings} are the effective values (defaults filled in); {@code usage_percentage} is the fraction of the
 * monthly budget spent (0–1+), null when the budget is unlimited.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentUsage(
        String agentId,
        AgentGovernanceSettings settings,
        BigDecimal currentMonthlyCost,
        BigDecimal dailySpent,
        @Schema(nullable = true) BigDecimal usagePercentage,
        long invocationsToday,
        long invocationsThisMonth) {
}
