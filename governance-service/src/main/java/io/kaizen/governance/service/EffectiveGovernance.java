package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import io.kaizen.common.governance.TokenRates;
import io.kaizen.governance.budget.BudgetLimits;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.policy.Policy;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.trigger.ApprovalTriggerSettings;

/**
 * The governance an agent is decided under: its own settings over its organisation's over the configured
 * defaults, plus the organisation's policies. Immutable, so decisions may share it for a moment (see
 * {@link GovernanceSnapshots}). {@code known} is false for an agent governance has never heard of.
 */
public record EffectiveGovernance(
        String agentId,
        String organizationId,
        boolean known,
        boolean deleted,
        String platform,
        List<String> tags,
        String environment,
        Instant agentCreatedAt,
        Integer requestsPerMinute,
        Integer requestsPerHour,
        Integer requestsPerDay,
        Integer userRequestsPerMinute,
        BudgetLimits budget,
        ApprovalTriggerSettings ownTriggers,
        ApprovalTriggerSettings triggers,
        OrganizationPolicies organization) {

    /**
     * The organisation's side: combining, default effect, org-wide budget (-1: none), policies and the time zone its
     * weeks start in.
     */
    public record OrganizationPolicies(String organizationId, CombiningStrategy strategy, Effect defaultEffect,
            long monthlyBudgetMicros, ApprovalTriggerSettings triggerDefaults, List<Policy> policies,
            boolean configured, ZoneId timeZone) {
    }

    static EffectiveGovernance of(String agentId, String organizationId, AgentGovernance row, List<String> tags,
            ApprovalTriggerSettings ownTriggers, OrganizationPolicies organization, GovernanceConfig.Defaults defaults) {
        boolean known = row != null;
        ApprovalTriggerSettings own = ownTriggers == null ? ApprovalTriggerSettings.NONE : ownTriggers;
        BudgetLimits budget = new BudgetLimits(
                Money.limitMicros(known && row.monthlyBudgetUsd != null ? row.monthlyBudgetUsd : defaults.monthlyBudgetUsd()),
                // no configured default: a weekly line exists only when set
                Money.limitMicros(known ? row.weeklyBudgetUsd : null),
                Money.limitMicros(known && row.dailyBudgetUsd != null ? row.dailyBudgetUsd : defaults.dailyBudgetUsd()),
                or(known ? row.monthlyExecutionLimit : null, defaults.monthlyExecutionLimit()),
                or(known ? row.weeklyExecutionLimit : null, -1),
                or(known ? row.dailyExecutionLimit : null, defaults.dailyExecutionLimit()),
                known && row.costPerExecution != null ? row.costPerExecution : defaults.costPerExecution(),
                known && row.warningThreshold != null ? row.warningThreshold : defaults.warningThreshold(),
                known && row.degradationThreshold != null ? row.degradationThreshold : defaults.degradationThreshold(),
                known && row.enforcementMode != null ? row.enforcementMode : defaults.enforcementMode(),
                new TokenRates(
                        known && row.inputTokenRate != null ? row.inputTokenRate : defaults.inputTokenRate(),
                        known && row.outputTokenRate != null ? row.outputTokenRate : defaults.outputTokenRate(),
                        known && row.baseInvocationCost != null ? row.baseInvocationCost
                                : defaults.baseInvocationCost()),
                known && row.rolloverUnused != null ? row.rolloverUnused : defaults.rolloverUnused(),
                known && row.maxRolloverPercentage != null ? row.maxRolloverPercentage
                        : defaults.maxRolloverPercentage());
        return new EffectiveGovernance(agentId, known ? row.organizationId : organizationId, known,
                known && row.deletedAt != null, known ? row.platform : null, tags, known ? row.environment : null,
                known ? row.agentCreatedAt : null,
                known ? row.requestsPerMinute : null, known ? row.requestsPerHour : null,
                known ? row.requestsPerDay : null, known ? row.userRequestsPerMinute : null,
                budget, own, own.over(organization.triggerDefaults()), organization);
    }

    /** The rate-limit windows of this agent, with lengths from configuration. */
    public List<RateLimitWindow> windows(GovernanceConfig config) {
        GovernanceConfig.Defaults defaults = config.defaults();
        GovernanceConfig.RateLimit lengths = config.rateLimit();
        List<RateLimitWindow> windows = new ArrayList<>(List.of(
                new RateLimitWindow("minute", lengths.minuteWindow(), or(requestsPerMinute, defaults.requestsPerMinute()), false),
                new RateLimitWindow("hour", lengths.hourWindow(), or(requestsPerHour, defaults.requestsPerHour()), false),
                new RateLimitWindow("day", lengths.dayWindow(), or(requestsPerDay, defaults.requestsPerDay()), false)));
        long perUser = or(userRequestsPerMinute, defaults.userRequestsPerMinute());
        if (perUser >= 0) {
            windows.add(new RateLimitWindow("user_minute", lengths.minuteWindow(), perUser, true));
        }
        return windows;
    }

    public BigDecimal costPerExecution() {
        return budget.costPerExecution();
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
