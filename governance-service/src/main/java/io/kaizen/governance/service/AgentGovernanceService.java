package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.kaizen.common.agents.AgentIds;
import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceConfigEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.governance.AgentGovernanceSettings;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.budget.BudgetLimits;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.rest.GovernanceRequests.BudgetConfig;
import io.kaizen.governance.rest.GovernanceRequests.GovernancePatch;
import io.kaizen.governance.rest.GovernanceRequests.RateLimitConfig;
import io.kaizen.governance.rest.GovernanceViews.AgentGovernanceView;
import io.kaizen.governance.rest.GovernanceViews.BudgetConfigView;
import io.kaizen.governance.rest.GovernanceViews.RateLimitConfigView;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * The governance configuration of agents, held here only: registry forwards the fields given to its agent API
 * (synchronously, before an agent create or patch commits), governance admins change them through the public API,
 * and agent events complete what governance knows of the agent. Every change through governance's public API is a
 * {@code config.updated} event. Answers show unlimited as null; -1 is accepted on input.
 */
@ApplicationScoped
public class AgentGovernanceService {

    private static final String INSERT_IF_ABSENT = "insert into agent_governance (agent_id, organization_id, updated_at)"
            + " values (:agent, :organization, :now) on conflict (agent_id) do nothing";

    private final GovernanceSnapshots snapshots;
    private final JsonColumns json;
    private final Outbox outbox;
    private final GovernanceConfig config;

    AgentGovernanceService(GovernanceSnapshots snapshots, JsonColumns json, Outbox outbox, GovernanceConfig config) {
        this.snapshots = snapshots;
        this.json = json;
        this.outbox = outbox;
        this.config = config;
    }

    /**
     * Registry's write of a new agent's settings: every field is set as given (null = the default); writing the same
     * settings twice is harmless.
     */
    @WithTransaction
    public Uni<AgentGovernanceSettings> put(String agentId, AgentGovernanceSettings settings) {
        return write(agentId, settings, true);
    }

    /**
     * Registry's forwarding of an agent change: only the given fields are set, the others keep their value (the
     * default for an agent governance does not know yet). Governance stays the one holder of these settings; registry
     * never writes back what it read.
     */
    @WithTransaction
    public Uni<AgentGovernanceSettings> change(String agentId, AgentGovernanceSettings settings) {
        return write(agentId, settings, false);
    }

    private Uni<AgentGovernanceSettings> write(String agentId, AgentGovernanceSettings settings, boolean replace) {
        if (settings.organizationId() == null || settings.organizationId().isBlank()) {
            throw ProblemException.validation("organization_id is required").with("field", "organization_id");
        }
        GovernanceValidation.budget(new BudgetConfig(settings.maxMonthlyCost(), settings.maxDailyCost(),
                settings.monthlyExecutionLimit(), null, settings.costPerExecution(), null, null, null,
                settings.inputTokenRate(), settings.outputTokenRate(), settings.baseInvocationCost(),
                settings.maxWeeklyCost(), settings.weeklyExecutionLimit(), settings.rolloverUnused(),
                settings.maxRolloverPercentage()), "");
        GovernanceValidation.rateLimit(new RateLimitConfig(settings.requestsPerMinute(), settings.requestsPerHour(),
                settings.requestsPerDay(), null), "");
        return lockedOrCreated(agentId, settings.organizationId())
                .map(row -> {
                    if (!row.organizationId.equals(settings.organizationId())) {
                        throw ProblemException.conflict("Agent " + agentId + " belongs to another organisation");
                    }
                    return row;
                })
                .chain(row -> {
                    row.monthlyBudgetUsd = pick(replace, settings.maxMonthlyCost(), row.monthlyBudgetUsd);
                    row.dailyBudgetUsd = pick(replace, settings.maxDailyCost(), row.dailyBudgetUsd);
                    row.costPerExecution = pick(replace, settings.costPerExecution(), row.costPerExecution);
                    row.monthlyExecutionLimit = pick(replace, settings.monthlyExecutionLimit(), row.monthlyExecutionLimit);
                    row.requestsPerMinute = pick(replace, settings.requestsPerMinute(), row.requestsPerMinute);
                    row.requestsPerHour = pick(replace, settings.requestsPerHour(), row.requestsPerHour);
                    row.requestsPerDay = pick(replace, settings.requestsPerDay(), row.requestsPerDay);
                    row.inputTokenRate = pick(replace, settings.inputTokenRate(), row.inputTokenRate);
                    row.outputTokenRate = pick(replace, settings.outputTokenRate(), row.outputTokenRate);
                    row.baseInvocationCost = pick(replace, settings.baseInvocationCost(), row.baseInvocationCost);
                    row.weeklyBudgetUsd = pick(replace, settings.maxWeeklyCost(), row.weeklyBudgetUsd);
                    row.weeklyExecutionLimit = pick(replace, settings.weeklyExecutionLimit(), row.weeklyExecutionLimit);
                    row.rolloverUnused = pick(replace, settings.rolloverUnused(), row.rolloverUnused);
                    row.maxRolloverPercentage = pick(replace, settings.maxRolloverPercentage(),
                            row.maxRolloverPercentage);
                    row.updatedAt = Instant.now();
                    return row.<AgentGovernance>persist();
                })
                .call(() -> snapshots.agentChanged(agentId))
                .chain(() -> snapshots.loadAgent(agentId, settings.organizationId()))
                .map(this::settings);
    }

    private static <T> T pick(boolean replace, T given, T current) {
        return replace || given != null ? given : current;
    }

    /** The agent's row when it belongs to the caller's organisation; 404 otherwise. */
    @WithSession
    public Uni<EffectiveGovernance> forCaller(String agentId, String organizationId) {
        return snapshots.agent(agentId, organizationId).map(governance -> {
            if (!governance.known() || governance.deleted() || !governance.organizationId().equals(organizationId)) {
                throw notFound(agentId);
            }
            return governance;
        });
    }

    @WithSession
    public Uni<AgentGovernanceView> view(String agentId, String organizationId) {
        return forCaller(agentId, organizationId).map(governance -> view(governance, null));
    }

    @WithTransaction
    public Uni<AgentGovernanceView> patch(String agentId, String organizationId, GovernancePatch patch, String actor) {
        if (patch == null) {
            throw ProblemException.validation("request body is required");
        }
        GovernanceValidation.budget(patch.budget(), "budget.");
        GovernanceValidation.rateLimit(patch.rateLimit(), "rate_limit.");
        GovernanceValidation.triggers(patch.approvalTriggers(), "approval_triggers.");
        return update(agentId, organizationId, actor, row -> {
            List<String> changed = new ArrayList<>(applyBudget(row, patch.budget(), "budget."));
            RateLimitConfig rate = patch.rateLimit();
            if (rate != null) {
                set(changed, "rate_limit.requests_per_minute", rate.requestsPerMinute(), row.requestsPerMinute,
                        v -> row.requestsPerMinute = v);
                set(changed, "rate_limit.requests_per_hour", rate.requestsPerHour(), row.requestsPerHour,
                        v -> row.requestsPerHour = v);
                set(changed, "rate_limit.requests_per_day", rate.requestsPerDay(), row.requestsPerDay,
                        v -> row.requestsPerDay = v);
                set(changed, "rate_limit.user_requests_per_minute", rate.userRequestsPerMinute(),
                        row.userRequestsPerMinute, v -> row.userRequestsPerMinute = v);
            }
            if (patch.approvalTriggers() != null) {
                String triggers = json.write(patch.approvalTriggers());
                if (!triggers.equals(row.approvalTriggers)) {
                    row.approvalTriggers = triggers;
                    changed.add("approval_triggers");
                }
            }
            return changed;
        }).map(governance -> view(governance, null));
    }

    /** {@code PATCH .../budget/config}: every given field is stored. */
    @WithTransaction
    public Uni<EffectiveGovernance> patchBudget(String agentId, String organizationId, BudgetConfig budget,
            String actor) {
        if (budget == null) {
            throw ProblemException.validation("request body is required");
        }
        GovernanceValidation.budget(budget, "");
        return update(agentId, organizationId, actor, row -> applyBudget(row, budget, ""));
    }

    /** Keeps what governance knows of an agent in step with registry's events; settings are never touched. */
    @WithTransaction
    public Uni<Void> onAgentEvent(String type, AgentEvent event) {
        // locked: the row is written whole, so an unlocked read would put back settings changed meanwhile
        return lockedOrCreated(event.agentId(), event.organizationId())
                .chain(row -> {
                    if (!row.organizationId.equals(event.organizationId())) {
                        return Uni.createFrom().voidItem();
                    }
                    // one agent's events can arrive out of order (a relay retry, a replayed dead letter)
                    if (row.agentEventAt != null && event.occurredAt() != null
                            && event.occurredAt().isBefore(row.agentEventAt)) {
                        return Uni.createFrom().voidItem();
                    }
                    if (EventTypes.AGENT_DELETED.equals(type)) {
                        row.deletedAt = row.deletedAt != null ? row.deletedAt : event.occurredAt();
                    } else {
                        row.name = event.name() != null ? event.name() : row.name;
                        row.platform = event.platform() != null ? event.platform() : row.platform;
                        row.environment = event.environment() != null ? event.environment() : row.environment;
                        row.tags = event.tags() != null ? json.write(event.tags()) : row.tags;
                        if (EventTypes.AGENT_REGISTERED.equals(type) || row.agentCreatedAt == null) {
                            row.agentCreatedAt = row.agentCreatedAt != null ? row.agentCreatedAt : event.occurredAt();
                        }
                    }
                    row.agentEventAt = event.occurredAt() != null ? event.occurredAt() : row.agentEventAt;
                    row.updatedAt = Instant.now();
                    return row.persist().chain(() -> snapshots.agentChanged(event.agentId()));
                });
    }

    /** The effective settings in the shape registry reads (null = unlimited, like every answer). */
    public AgentGovernanceSettings settings(EffectiveGovernance governance) {
        BudgetLimits budget = governance.budget();
        List<RateLimitWindow> windows = governance.windows(config);
        return new AgentGovernanceSettings(governance.organizationId(), Money.limitOrNull(budget.monthlyMicros()),
                Money.limitOrNull(budget.dailyMicros()), Money.usd(budget.costPerExecution()),
                budget.monthlyExecutions() < 0 ? null : (int) budget.monthlyExecutions(),
                (int) windows.get(0).limit(), (int) windows.get(1).limit(), (int) windows.get(2).limit(),
                rate(budget.tokenRates().inputTokenRate()), rate(budget.tokenRates().outputTokenRate()),
                Money.usd(budget.tokenRates().baseInvocationCost()), Money.limitOrNull(budget.weeklyMicros()),
                budget.weeklyExecutions() < 0 ? null : (int) budget.weeklyExecutions(), budget.rolloverUnused(),
                budget.maxRolloverPercentage());
    }

    public AgentGovernanceView view(EffectiveGovernance governance, Instant updatedAt) {
        List<RateLimitWindow> windows = governance.windows(config);
        Long perUser = windows.size() > 3 ? windows.get(3).limit() : null;
        return new AgentGovernanceView(governance.agentId(), governance.organizationId(), budgetView(governance.budget()),
                new RateLimitConfigView(windows.get(0).limit(), windows.get(1).limit(), windows.get(2).limit(), perUser,
                        config.rateLimit().failOpen()),
                governance.triggers(), governance.ownTriggers(), updatedAt);
    }

    public static BudgetConfigView budgetView(BudgetLimits budget) {
        return new BudgetConfigView(Money.limitOrNull(budget.monthlyMicros()), Money.limitOrNull(budget.dailyMicros()),
                countOrNull(budget.monthlyExecutions()), countOrNull(budget.dailyExecutions()),
                Money.usd(budget.costPerExecution()), budget.warningThreshold(), budget.degradationThreshold(),
                budget.enforcementMode(), rate(budget.tokenRates().inputTokenRate()),
                rate(budget.tokenRates().outputTokenRate()), Money.usd(budget.tokenRates().baseInvocationCost()),
                Money.limitOrNull(budget.weeklyMicros()), countOrNull(budget.weeklyExecutions()),
                budget.rolloverUnused(), budget.maxRolloverPercentage());
    }

    /** A per-token rate as answers show it: exact, without the column's trailing zeros ({@code 0.00001}). */
    private static BigDecimal rate(BigDecimal rate) {
        BigDecimal plain = rate.stripTrailingZeros();
        return plain.scale() < 0 ? plain.setScale(0) : plain;
    }

    private Uni<EffectiveGovernance> update(String agentId, String organizationId, String actor,
            java.util.function.Function<AgentGovernance, List<String>> change) {
        // locked: registry's forwarded changes and these write the same row, field by field
        return AgentGovernance.<AgentGovernance>findById(agentId, LockModeType.PESSIMISTIC_WRITE)
                .chain(row -> {
                    if (row == null || row.deletedAt != null || !row.organizationId.equals(organizationId)) {
                        throw notFound(agentId);
                    }
                    List<String> changed = change.apply(row);
                    if (changed.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    row.updatedAt = Instant.now();
                    return row.persist()
                            .chain(() -> outbox.add(Topics.GOVERNANCE, EventTypes.GOVERNANCE_CONFIG_UPDATED, agentId,
                                    organizationId, new GovernanceConfigEvent(organizationId, agentId, "agent", changed,
                                            actor, row.updatedAt)))
                            .replaceWithVoid();
                })
                .call(() -> snapshots.agentChanged(agentId))
                .chain(() -> snapshots.loadAgent(agentId, organizationId));
    }

    private static List<String> applyBudget(AgentGovernance row, BudgetConfig budget, String prefix) {
        List<String> changed = new ArrayList<>();
        if (budget == null) {
            return changed;
        }
        set(changed, prefix + "monthly_budget_usd", budget.monthlyBudgetUsd(), row.monthlyBudgetUsd,
                v -> row.monthlyBudgetUsd = v);
        set(changed, prefix + "weekly_budget_usd", budget.weeklyBudgetUsd(), row.weeklyBudgetUsd,
                v -> row.weeklyBudgetUsd = v);
        set(changed, prefix + "daily_budget_usd", budget.dailyBudgetUsd(), row.dailyBudgetUsd,
                v -> row.dailyBudgetUsd = v);
        set(changed, prefix + "monthly_execution_limit", budget.monthlyExecutionLimit(), row.monthlyExecutionLimit,
                v -> row.monthlyExecutionLimit = v);
        set(changed, prefix + "weekly_execution_limit", budget.weeklyExecutionLimit(), row.weeklyExecutionLimit,
                v -> row.weeklyExecutionLimit = v);
        set(changed, prefix + "daily_execution_limit", budget.dailyExecutionLimit(), row.dailyExecutionLimit,
                v -> row.dailyExecutionLimit = v);
        set(changed, prefix + "rollover_unused", budget.rolloverUnused(), row.rolloverUnused,
                v -> row.rolloverUnused = v);
        set(changed, prefix + "max_rollover_percentage", budget.maxRolloverPercentage(), row.maxRolloverPercentage,
                v -> row.maxRolloverPercentage = v);
        set(changed, prefix + "cost_per_execution", budget.costPerExecution(), row.costPerExecution,
                v -> row.costPerExecution = v);
        set(changed, prefix + "warning_threshold", budget.warningThreshold(), row.warningThreshold,
                v -> row.warningThreshold = v);
        set(changed, prefix + "degradation_threshold", budget.degradationThreshold(), row.degradationThreshold,
                v -> row.degradationThreshold = v);
        set(changed, prefix + "enforcement_mode", budget.enforcementMode(), row.enforcementMode,
                v -> row.enforcementMode = v);
        set(changed, prefix + "input_token_rate", budget.inputTokenRate(), row.inputTokenRate,
                v -> row.inputTokenRate = v);
        set(changed, prefix + "output_token_rate", budget.outputTokenRate(), row.outputTokenRate,
                v -> row.outputTokenRate = v);
        set(changed, prefix + "base_invocation_cost", budget.baseInvocationCost(), row.baseInvocationCost,
                v -> row.baseInvocationCost = v);
        return changed;
    }

    private static <T> void set(List<String> changed, String field, T value, T current,
            java.util.function.Consumer<T> setter) {
        if (value == null) {
            return;
        }
        boolean same = value instanceof BigDecimal a && current instanceof BigDecimal b ? a.compareTo(b) == 0
                : Objects.equals(value, current);
        if (!same) {
            setter.accept(value);
            changed.add(field);
        }
    }

    /**
     * The agent's row, locked, inserted first when governance does not know the agent. Registry's first write and
     * the agent's first event can both find no row: a plain insert would then fail on the second of them (and
     * dead-letter the event). With {@code on conflict do nothing} the second insert waits for the first to commit
     * and changes nothing, and both go on to the one row, locked in turn, so neither loses the other's fields.
     */
    private static Uni<AgentGovernance> lockedOrCreated(String agentId, String organizationId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(INSERT_IF_ABSENT)
                        .setParameter("agent", agentId)
                        .setParameter("organization", organizationId)
                        .setParameter("now", Instant.now())
                        .executeUpdate())
                .chain(() -> AgentGovernance.<AgentGovernance>findById(agentId, LockModeType.PESSIMISTIC_WRITE));
    }

    private static Long countOrNull(long count) {
        return count < 0 ? null : count;
    }

    static ProblemException notFound(String agentId) {
        return AgentIds.notFound(agentId);
    }
}
