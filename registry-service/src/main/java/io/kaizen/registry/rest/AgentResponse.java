package io.kaizen.registry.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An agent as callers see it: {@code auth_config.credentials} is always {@code "***"} and secret
 * {@code platform_config} fields are {@code "***"}. Governance fields are governance-service's effective values;
 * null is unlimited. When governance-service could not be asked they are all null, and so is
 * {@code current_monthly_cost}, which is otherwise always a number.
 */
public record AgentResponse(
        String id,
        String organizationId,
        String name,
        String description,
        String platform,
        String endpointUrl,
        Map<String, Object> platformConfig,
        AuthConfigView authConfig,
        List<String> tags,
        String environment,
        int timeoutSeconds,
        String status,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        BigDecimal maxMonthlyCost,
        BigDecimal maxDailyCost,
        BigDecimal costPerExecution,
        Integer monthlyExecutionLimit,
        Integer requestsPerMinute,
        Integer requestsPerHour,
        Integer requestsPerDay,
        BigDecimal currentMonthlyCost,
        BigDecimal usagePercentage,
        GovernanceSummary governance) {

    public record AuthConfigView(String authType, String credentials) {
    }

    /** Spend and use this UTC day and month (detail only). */
    public record GovernanceSummary(BigDecimal monthlySpent, BigDecimal dailySpent, BigDecimal usagePercentage,
            long invocationsToday, long invocationsThisMonth) {
    }
}
