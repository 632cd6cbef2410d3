package io.kaizen.common.governance;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Spend and use of one agent in the current UTC day and month, as governance reports it to registry for agent lists
 * and details ({@code POST /internal/v1/agents/usage} with {@code {"agent_ids": [...]}}, answering
 * {@code {"items": [AgentUsage...]}}). {@code usage_percentage} is a fraction of the monthly budget (0–1+), null
 * when the budget is unlimited.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentUsage(
        String agentId,
        BigDecimal maxMonthlyCost,
        BigDecimal currentMonthlyCost,
        BigDecimal dailySpent,
        BigDecimal usagePercentage,
        long invocationsToday,
        long invocationsThisMonth) {
}
