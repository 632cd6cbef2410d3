package io.kaizen.registry.rest;

import java.math.BigDecimal;

/** The governance fields of the agent API, written through to governance-service. */
public interface GovernanceFields {

    BigDecimal maxMonthlyCost();

    BigDecimal maxDailyCost();

    BigDecimal costPerExecution();

    Integer monthlyExecutionLimit();

    Integer requestsPerMinute();

    Integer requestsPerHour();

    Integer requestsPerDay();

    default boolean anyGovernanceField() {
        return maxMonthlyCost() != null || maxDailyCost() != null || costPerExecution() != null
                || monthlyExecutionLimit() != null || requestsPerMinute() != null || requestsPerHour() != null
                || requestsPerDay() != null;
    }
}
