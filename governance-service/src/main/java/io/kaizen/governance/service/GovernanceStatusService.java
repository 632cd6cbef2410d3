package io.kaizen.governance.service;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kaizen.common.governance.AgentUsage;
import io.kaizen.governance.budget.AgentAdmission;
import io.kaizen.governance.budget.BudgetLedger;
import io.kaizen.governance.budget.BudgetLimits;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetScopes;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.config.GovernanceConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.journal.DecisionJournal;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.ratelimit.RateLimitWindow;
import io.kaizen.governance.rest.GovernanceViews.ActivePolicy;
import io.kaizen.governance.rest.GovernanceViews.ApprovalPart;
import io.kaizen.governance.rest.GovernanceViews.BudgetConfigUpdated;
import io.kaizen.governance.rest.GovernanceViews.BudgetPart;
import io.kaizen.governance.rest.GovernanceViews.BudgetStatus;
import io.kaizen.governance.rest.GovernanceViews.CurrentUsage;
import io.kaizen.governance.rest.GovernanceViews.GovernanceStatus;
import io.kaizen.governance.rest.GovernanceViews.LineUsage;
import io.kaizen.governance.rest.GovernanceViews.Organization;
import io.kaizen.governance.rest.GovernanceViews.PeriodUsage;
import io.kaizen.governance.rest.GovernanceViews.PolicyPart;
import io.kaizen.governance.rest.GovernanceViews.RatePart;
import io.kaizen.governance.service.EffectiveGovernance.OrganizationPolicies;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Read models of governance: an agent's budget (from the ledger, the record), its full governance status (budget,
 * live rate-limit windows, policies, approval triggers) and the usage registry shows next to agents.
 */
@ApplicationScoped
public class GovernanceStatusService {

    private final AgentGovernanceService agents;
    private final GovernanceSnapshots snapshots;
    private final BudgetLedger ledger;
    private final AgentAdmission admission;
    private final GovernanceConfig config;
    private final DecisionJournal journal;

    GovernanceStatusService(AgentGovernanceService agents, GovernanceSnapshots snapshots, BudgetLedger ledger,
            AgentAdmission admission, GovernanceConfig config, DecisionJournal journal) {
        this.journal = journal;
        this.agents = agents;
        this.snapshots = snapshots;
        this.ledger = ledger;
        this.admission = admission;
        this.config = config;
    }

    /**
     * {@code GET .../budget}: monthly scope first (as the reference), weekly, daily and organisation alongside.
     * Reserved amounts count the agent's journaled reservations too: its journal is flushed first.
     */
    @WithSession
    public Uni<BudgetStatus> budget(String agentId, String organizationId) {
        Instant now = Instant.now();
        return agents.forCaller(agentId, organizationId)
                .call(() -> journal.flush(agentId))
                .chain(governance -> lines(governance, now)
                        .chain(lines -> organization(governance.organization(), lines.get(0).usage().period())
                                .map(org -> budgetStatus(governance, lines, org))));
    }

    /** A line's usage with its effective USD limit (-1: unlimited) and the rollover in it. */
    private record Line(BudgetLedger.LineUsage usage, long limit, long rollover) {
    }

    /**
     * The rollover is the one the period's tally carries (recorded when it was built); before that, what it will
     * carry if nothing changes.
     */
    private Uni<Line> line(EffectiveGovernance governance, BudgetPeriod period) {
        BudgetLimits limits = governance.budget();
        long base = limits.usdMicros(period);
        return ledger.lineUsage(governance.agentId(), period)
                .chain(usage -> (usage.carry() != null ? Uni.createFrom().item(Money.actualMicros(usage.carry()))
                        : ledger.unusedMicros(governance.agentId(), period.previous(), base))
                        .map(carry -> {
                            long rollover = base < 0 ? 0 : limits.rolloverMicros(base, carry);
                            return new Line(usage, base < 0 ? -1 : base + rollover, rollover);
                        }));
    }

    /** The answer of {@code PATCH .../budget/config} for the just-stored configuration. */
    @WithSession
    public Uni<BudgetConfigUpdated> budgetConfigUpdated(EffectiveGovernance governance) {
        return lines(governance, Instant.now()).map(lines -> {
            Line month = lines.get(0);
            return new BudgetConfigUpdated("Budget configuration updated", governance.agentId(),
                    Money.limitOrNull(month.limit()), Money.limitOrNull(lines.get(2).limit()),
                    new CurrentUsage(Money.usd(month.usage().spent()), month.usage().executions(),
                            Money.usd(month.rollover()), lineUsage(lines.get(1)), lineUsage(lines.get(2))),
                    AgentGovernanceService.budgetView(governance.budget()), Money.limitOrNull(lines.get(1).limit()));
        });
    }

    private static LineUsage lineUsage(Line line) {
        return new LineUsage(Money.usd(line.usage().spent()), line.usage().executions(), Money.usd(line.rollover()));
    }

    /** The agent's monthly, weekly and daily lines at {@code now}, the week in the organisation's time zone. */
    private Uni<List<Line>> lines(EffectiveGovernance governance, Instant now) {
        return Multi.createFrom().iterable(BudgetPeriod.at(now, governance.organization().timeZone()))
                .onItem().transformToUniAndConcatenate(period -> line(governance, period))
                .collect().asList();
    }

    /** {@code GET .../governance-status} (original-spec §2.3.7). */
    @WithSession
    public Uni<GovernanceStatus> status(String agentId, String organizationId) {
        Instant now = Instant.now();
        return agents.forCaller(agentId, organizationId)
                .chain(governance -> lines(governance, now)
                        .chain(lines -> rate(governance)
                                .map(rate -> new GovernanceStatus(agentId, governance.organizationId(), now,
                                        budgetPart(governance.budget(), lines), rate, policyPart(governance.organization()),
                                        new ApprovalPart(governance.triggers().enabled(), null, governance.triggers()),
                                        config.rateLimit().failOpen()))));
    }

    /** Usage of many agents for registry, in one query; agents governance does not know are left out. */
    @WithSession
    public Uni<List<AgentUsage>> usage(List<String> agentIds) {
        if (agentIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Instant now = Instant.now();
        // settings from the stored rows, spend from the ledger's totals
        return AgentGovernance.<AgentGovernance>list("agentId in ?1", agentIds)
                .chain(stored -> ledger.usageOf(agentIds, BudgetPeriod.month(now).start(), BudgetPeriod.day(now).start())
                        .map(rows -> usage(stored, rows)));
    }

    private List<AgentUsage> usage(List<AgentGovernance> stored, List<Object[]> rows) {
        Map<String, AgentGovernance> byId = new LinkedHashMap<>();
        stored.forEach(row -> byId.put(row.agentId, row));
        List<AgentUsage> items = new ArrayList<>();
        for (Object[] row : rows) {
            AgentGovernance agent = byId.get((String) row[0]);
            if (agent == null) {
                continue;
            }
            EffectiveGovernance effective = EffectiveGovernance.of(agent.agentId, agent.organizationId, agent,
                    List.of(), null, NO_ORGANIZATION, config.defaults());
            BigDecimal monthSpent = Money.usd(new BigDecimal(row[9].toString()));
            long monthly = effective.budget().monthlyMicros();
            items.add(new AgentUsage(agent.agentId, agents.settings(effective), monthSpent,
                    Money.usd(new BigDecimal(row[11].toString())),
                    monthly <= 0 ? null : BudgetScopes.fraction(Money.actualMicros(monthSpent), monthly),
                    ((Number) row[12]).longValue(), ((Number) row[10]).longValue()));
        }
        return items;
    }

    private static final OrganizationPolicies NO_ORGANIZATION = new OrganizationPolicies(null, null, Effect.DENY, -1,
            null, List.of(), false, java.time.ZoneOffset.UTC);

    private Uni<BigDecimal> organization(OrganizationPolicies organization, BudgetPeriod month) {
        if (organization.monthlyBudgetMicros() < 0) {
            return Uni.createFrom().nullItem();
        }
        return ledger.organizationTotals(organization.organizationId(), month.start()).map(BudgetLedger.Totals::spent);
    }

    private BudgetStatus budgetStatus(EffectiveGovernance governance, List<Line> lines, BigDecimal organizationSpent) {
        BudgetLimits limits = governance.budget();
        Line monthLine = lines.get(0);
        BudgetLedger.LineUsage month = monthLine.usage();
        long spent = Money.actualMicros(month.spent());
        long reserved = Money.estimateMicros(month.reserved());
        long monthly = monthLine.limit();
        BigDecimal usagePercentage = monthly <= 0 ? null : BudgetScopes.fraction(spent + reserved, monthly);
        long executions = month.executions();
        Long executionLimit = limits.monthlyExecutions() < 0 ? null : limits.monthlyExecutions();
        boolean exceeded = (monthly >= 0 && spent >= monthly)
                || (executionLimit != null && executions >= executionLimit);
        Organization organizationPart = organizationSpent == null ? null
                : new Organization(Money.usd(governance.organization().monthlyBudgetMicros()), Money.usd(organizationSpent));
        return new BudgetStatus(governance.agentId(), governance.organizationId(), BudgetPeriod.MONTHLY,
                month.period().startsAt(), month.period().resetsAt(), Money.usd(spent), Money.usd(reserved),
                Money.limitOrNull(monthly), Money.usd(monthLine.rollover()),
                monthly < 0 ? null : Money.usd(monthly - spent - reserved), executions, executionLimit,
                executionLimit == null ? null : executionLimit - executions - month.reservedCount(),
                usagePercentage, BudgetScopes.reached(usagePercentage, limits.warningThreshold()),
                BudgetScopes.reached(usagePercentage, limits.degradationThreshold()), exceeded, limits.enforcementMode(),
                periodUsage(lines.get(1), limits), periodUsage(lines.get(2), limits), organizationPart);
    }

    private static PeriodUsage periodUsage(Line line, BudgetLimits limits) {
        BudgetLedger.LineUsage usage = line.usage();
        long spent = Money.actualMicros(usage.spent());
        long reserved = Money.estimateMicros(usage.reserved());
        long executionLimit = limits.executions(usage.period());
        return new PeriodUsage(usage.period().name(), usage.period().startsAt(), usage.period().resetsAt(),
                Money.usd(spent), Money.usd(reserved), Money.limitOrNull(line.limit()), Money.usd(line.rollover()),
                line.limit() < 0 ? null : Money.usd(line.limit() - spent - reserved), usage.executions(),
                executionLimit < 0 ? null : executionLimit);
    }

    /** Limits include the rollover, shown beside each; remaining is the limit less settled spend. */
    private static BudgetPart budgetPart(BudgetLimits limits, List<Line> lines) {
        Line month = lines.get(0);
        Line week = lines.get(1);
        Line day = lines.get(2);
        long spent = Money.actualMicros(month.usage().spent());
        long monthly = month.limit();
        BigDecimal usagePercentage = monthly <= 0 ? null : BudgetScopes.fraction(spent, monthly);
        Long executionLimit = limits.monthlyExecutions() < 0 ? null : limits.monthlyExecutions();
        long weeklyExecutions = limits.executions(week.usage().period());
        return new BudgetPart(Money.limitOrNull(monthly), Money.usd(spent), remaining(month),
                Money.limitOrNull(day.limit()), Money.usd(day.usage().spent()), remaining(day), executionLimit,
                month.usage().executions(),
                executionLimit == null ? null : executionLimit - month.usage().executions(),
                usagePercentage, BudgetScopes.reached(usagePercentage, limits.warningThreshold()),
                BudgetScopes.reached(usagePercentage, limits.degradationThreshold()), limits.enforcementMode(),
                Money.usd(month.rollover()), Money.limitOrNull(week.limit()), Money.usd(week.usage().spent()),
                remaining(week), Money.usd(week.rollover()), weeklyExecutions < 0 ? null : weeklyExecutions,
                week.usage().executions(), week.usage().period().resetsAt(), Money.usd(day.rollover()));
    }

    private static BigDecimal remaining(Line line) {
        return line.limit() < 0 ? null : Money.usd(line.limit() - Money.actualMicros(line.usage().spent()));
    }

    /** Live windows; when Redis cannot be read, {@code allowed} is null and {@code remaining} -1 (unknown). */
    private Uni<RatePart> rate(EffectiveGovernance governance) {
        List<RateLimitWindow> windows = governance.windows(config).stream().filter(w -> !w.perUser()).toList();
        Map<String, Long> limits = new LinkedHashMap<>();
        windows.forEach(w -> limits.put(w.name(), w.limit()));
        return admission.peek(governance.agentId(), windows)
                .map(result -> {
                    Map<String, Long> usage = new LinkedHashMap<>();
                    for (int i = 0; i < windows.size(); i++) {
                        usage.put(windows.get(i).name(), result.counts().get(i));
                    }
                    boolean allowed = result.admitted();
                    return new RatePart(allowed, allowed ? null : "requests_per_" + result.deniedWindow(),
                            result.state().remaining(), usage, limits, result.state().retryAfterSeconds(),
                            result.state().resetAt());
                })
                .onFailure().recoverWithItem(e -> new RatePart(null, null, -1L, null, limits, null, null));
    }

    private static PolicyPart policyPart(OrganizationPolicies organization) {
        List<ActivePolicy> active = organization.policies().stream().filter(p -> p.enabled())
                .sorted(java.util.Comparator.comparingInt(io.kaizen.governance.policy.Policy::priority))
                .map(p -> new ActivePolicy(p.id(), p.name(), p.effect().wire(), p.priority())).toList();
        return new PolicyPart(organization.policies().size(), active.size(), active, organization.strategy().name(),
                organization.defaultEffect().wire());
    }


}
