package io.kaizen.registry.rest;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

import io.kaizen.common.agents.AgentDefinition;
import io.kaizen.registry.domain.AuthType;
import io.kaizen.registry.domain.Environment;
import io.kaizen.registry.domain.Platform;

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
        @Schema(nullable = true) String description,
        @Schema(implementation = Platform.class) String platform,
        String endpointUrl,
        @Schema(description = "Secret values are \"***\"") Map<String, Object> platformConfig,
        AuthConfigView authConfig,
        List<String> tags,
        @Schema(implementation = Environment.class) String environment,
        int timeoutSeconds,
        @Schema(enumeration = {"active", "inactive", "deleted"}) String status,
        String createdBy,
        Instant createdAt,
        @Schema(nullable = true) Instant updatedAt,
        @Schema(nullable = true) BigDecimal maxMonthlyCost,
        @Schema(nullable = true) BigDecimal maxDailyCost,
        @Schema(nullable = true) BigDecimal costPerExecution,
        @Schema(nullable = true) Integer monthlyExecutionLimit,
        @Schema(nullable = true) Integer requestsPerMinute,
        @Schema(nullable = true) Integer requestsPerHour,
        @Schema(nullable = true) Integer requestsPerDay,
        @Schema(nullable = true) BigDecimal inputTokenRate,
        @Schema(nullable = true) BigDecimal outputTokenRate,
        @Schema(nullable = true) BigDecimal baseInvocationCost,
        @Schema(nullable = true) BigDecimal maxWeeklyCost,
        @Schema(nullable = true) Integer weeklyExecutionLimit,
        @Schema(nullable = true) Boolean rolloverUnused,
        @Schema(nullable = true) BigDecimal maxRolloverPercentage,
        @Schema(nullable = true) BigDecimal currentMonthlyCost,
        @Schema(nullable = true) BigDecimal usagePercentage,
        @Schema(nullable = true) GovernanceSummary governance,
        @JsonProperty("notify") @Schema(description = "Where the outcome of each invocation is told") List<AgentDefinition.Notify> notifyChannels) {

    public record AuthConfigView(@Schema(implementation = AuthType.class) String authType,
            @Schema(enumeration = "***") String credentials) {
    }

    /** Spend and use this UTC day and month (detail only). */
    public record GovernanceSummary(BigDecimal monthlySpent, BigDecimal dailySpent,
            @Schema(nullable = true) BigDecimal usagePercentage,
            long invocationsToday, long invocationsThisMonth) {
    }
}
