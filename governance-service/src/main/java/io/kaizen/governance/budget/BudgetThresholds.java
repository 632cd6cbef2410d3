package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.kaizen.common.events.BudgetThresholdEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.service.BudgetAlertService;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Announces settled spend crossing the thresholds of a budget's alert configuration ({@code budget.threshold_crossed};
 * by default 50, 75, 90 and 100 %), once per scope (agent monthly, weekly and daily, organisation monthly), period and
 * threshold, as fractions of a line's own limit (without rollover), and tells the configuration's recipients through
 * {@code notification.requested} events. Runs inside the settlement batch's transaction, after its totals were added,
 * under the batch's scope locks: the {@code budget_alert} row of a threshold and the {@code budget_alert_notice} row
 * of a scope are each claimed by one transaction only, so replicas settling together announce and tell once.
 * <p>
 * A scope is told at most once per {@code cooldown_minutes}: of the thresholds one step crosses, the highest is told;
 * a crossing inside the cooldown is announced (the event) but not told, except a first crossing of the limit itself
 * (100 % or more), which is always told. With {@code alert_once_per_threshold} false, a settlement that leaves spend
 * at or above a threshold already announced tells it again once the cooldown has passed (a reminder).
 */
@ApplicationScoped
public class BudgetThresholds {

    private final BudgetLedger ledger;
    private final GovernanceSnapshots snapshots;
    private final BudgetAlertService alerts;
    private final Outbox outbox;

    BudgetThresholds(BudgetLedger ledger, GovernanceSnapshots snapshots, BudgetAlertService alerts, Outbox outbox) {
        this.ledger = ledger;
        this.snapshots = snapshots;
        this.alerts = alerts;
        this.outbox = outbox;
    }

    /** One budget line after a settlement: whose, which scope and period, its limit and settled spend. */
    private record Line(String organizationId, String agentId, String scope, BudgetPeriod period, long limitMicros,
            long spentMicros) {

        String scopeId() {
            return agentId != null ? agentId : organizationId;
        }
    }

    /**
     * Announces every threshold the scopes of settled reservations have reached and not yet announced, looking at
     * each scope once however many of {@code settled} count in it.
     */
    public Uni<Void> announce(Collection<BudgetReservation> settled, Instant now) {
        if (settled.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Set<String> organizationIds = new HashSet<>();
        Set<String> agentIds = new HashSet<>();
        settled.forEach(row -> {
            organizationIds.add(row.organizationId);
            agentIds.add(row.agentId);
        });
        Set<String> organizations = new HashSet<>();
        Set<String> agentScopes = new HashSet<>();
        List<Map.Entry<BudgetReservation, Boolean>> scopes = new ArrayList<>();
        for (BudgetReservation row : settled) {
            if (!agentScopes.add(row.agentId + "|" + row.monthStart + "|" + row.weekStart + "|" + row.dayStart)) {
                continue; // the same periods of the same agent: their totals are read for an earlier row
            }
            // true: the first row of its organisation's month, which reads the organisation's totals too
            scopes.add(Map.entry(row, organizations.add(row.organizationId + "|" + row.monthStart)));
        }
        return alerts.applicable(organizationIds, agentIds).chain(applicable -> InOrder.each(scopes,
                scope -> announce(scope.getKey(), scope.getValue(), applicable, now)));
    }

    private Uni<Void> announce(BudgetReservation row, boolean withOrganization, BudgetAlertService.Applicable applicable,
            Instant now) {
        return snapshots.agent(row.agentId, row.organizationId).chain(governance -> {
            BudgetLimits limits = governance.budget();
            BudgetAlertConfig agentAlerts = applicable.agent(row.organizationId, row.agentId);
            // a period without a budget has no threshold to cross: its totals are not read
            List<BudgetPeriod> budgeted = BudgetPeriod.ofReservation(row.monthStart, row.weekStart, row.dayStart,
                    governance.organization().timeZone()).stream().filter(period -> limits.usdMicros(period) > 0)
                    .toList();
            Uni<Void> chain = InOrder.each(budgeted, period -> ledger.agentTotals(row.agentId, period.name(),
                    period.start())
                    .chain(totals -> announce(new Line(row.organizationId, row.agentId, BudgetScopes.usdScope(period),
                            period, limits.usdMicros(period), Money.actualMicros(totals.spent())), agentAlerts, now)));
            BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
            long orgBudget = governance.organization().monthlyBudgetMicros();
            return !withOrganization || orgBudget < 0 ? chain
                    : chain.chain(() -> ledger.organizationTotals(row.organizationId, month.start())
                            .chain(totals -> announce(new Line(row.organizationId, null,
                                    BudgetScopes.ORGANIZATION_MONTHLY, month, orgBudget,
                                    Money.actualMicros(totals.spent())), applicable.organization(row.organizationId),
                                    now)));
        });
    }

    private Uni<Void> announce(Line line, BudgetAlertConfig config, Instant now) {
        if (line.limitMicros() <= 0) {
            return Uni.createFrom().voidItem();
        }
        List<Integer> reached = new ArrayList<>();
        for (int threshold : config.percentages()) {
            // spent >= threshold % of the limit, in integers
            if (line.spentMicros() * 100 < line.limitMicros() * threshold) {
                break;
            }
            reached.add(threshold);
        }
        if (reached.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        BigDecimal spent = Money.usd(line.spentMicros());
        BigDecimal forecast = config.includeForecast() ? BudgetAlertMessages.forecast(spent, line.period(), now) : null;
        List<Integer> crossed = new ArrayList<>();
        return InOrder.each(reached, threshold -> ledger.markThreshold(line.scopeId(), line.scope(),
                line.period().start(), threshold)
                .chain(first -> {
                    if (!first) {
                        return Uni.createFrom().voidItem();
                    }
                    crossed.add(threshold);
                    return outbox.add(Topics.GOVERNANCE, EventTypes.BUDGET_THRESHOLD_CROSSED, line.scopeId(),
                            line.organizationId(), new BudgetThresholdEvent(line.organizationId(), line.agentId(),
                                    line.scope(), line.period().name(), line.period().startsAt(),
                                    line.period().resetsAt(), threshold, spent, Money.usd(line.limitMicros()),
                                    Money.usd(line.limitMicros() - line.spentMicros()), forecast, now))
                            .replaceWithVoid();
                }))
                .chain(() -> tell(line, config, reached, crossed, forecast, now));
    }

    /** Tells the highest threshold just crossed (or, for reminders, reached) when the scope's cooldown allows. */
    private Uni<Void> tell(Line line, BudgetAlertConfig config, List<Integer> reached, List<Integer> crossed,
            BigDecimal forecast, Instant now) {
        if (!config.tellsAnyone()) {
            return Uni.createFrom().voidItem();
        }
        boolean reminder = crossed.isEmpty();
        if (reminder && config.alertOncePerThreshold()) {
            return Uni.createFrom().voidItem();
        }
        int threshold = reminder ? reached.get(reached.size() - 1) : crossed.get(crossed.size() - 1);
        boolean limitCrossed = !reminder && threshold >= 100;
        return ledger.claimNotice(line.scopeId(), line.scope(), now, Duration.ofMinutes(config.cooldownMinutes()),
                        limitCrossed)
                .chain(claimed -> !claimed ? Uni.createFrom().voidItem()
                        : name(line).chain(name -> outbox.addAll(BudgetAlertMessages.notifications(
                                new BudgetAlertMessages.Alert(line.organizationId(), line.agentId(), name, line.scope(),
                                        line.period(), threshold, Money.usd(line.spentMicros()),
                                        Money.usd(line.limitMicros()), forecast),
                                config, reminder, now)).replaceWithVoid()));
    }

    /** The agent's name as its events told it, else its id; the organisation has none. */
    private static Uni<String> name(Line line) {
        if (line.agentId() == null) {
            return Uni.createFrom().nullItem();
        }
        return AgentGovernance.<AgentGovernance>findById(line.agentId())
                .map(row -> row != null && row.name != null ? row.name : line.agentId());
    }
}
