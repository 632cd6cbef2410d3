package io.kaizen.governance.service;

import java.math.BigDecimal;

import io.smallrye.config.ConfigMapping;

/** Governance applied to agents whose own settings leave a field unset. */
@ConfigMapping(prefix = "kaizen.governance.defaults")
public interface GovernanceDefaults {

    /** Calls per agent per rolling minute. */
    int requestsPerMinute();

    /** Calls per agent per rolling hour. */
    int requestsPerHour();

    /** Calls per agent per rolling day. */
    int requestsPerDay();

    /** USD charged per call when the agent reports no cost. */
    BigDecimal costPerExecution();
}
