package io.kaizen.governance.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import io.kaizen.common.events.BudgetThresholdEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Announces settled spend crossing 50, 80, 90 and 100 % of a limit ({@code budget.threshold_crossed}), once per
 * scope (agent monthly, weekly and daily, organisation monthly), period and threshold, as fractions of a line's own
 * limit (without rollover). Runs inside the settlement batch's transaction, after its totals were added.
 */
@ApplicationScoped
public class BudgetThresholds {

    private static final int[] THRESHOLDS = {50, 80, 90, 100};

    private final BudgetLedger ledger;
    private final GovernanceSnapshots snapshots;
    private final Outbox outbox;

    BudgetThresholds(BudgetLedger ledger, GovernanceSnapshots snapshots, Outbox outbox) {
        this.ledger = ledger;
        this.snapshots = snapshots;
        this.outbox = outbox;
    }

    /**
     * Announces every threshold the scopes of settled reservations have reached and not yet announced, looking at
     * each scope once however many of {@code settled} count in it.
     */
    public Uni<Void> announce(Collection<BudgetReservation> settled, Instant now) {
        Set<String> organizations = new HashSet<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (BudgetReservation row : settled) {
            boolean organization = organizations.add(row.organizationId + "|" + row.monthStart);
            chain = chain.chain(() -> announce(row, organization, now));
        }
        return chain;
    }

    private Uni<Void> announce(BudgetReservation row, boolean withOrganization, Instant now) {
        return snapshots.agent(row.agentId, row.organizationId).chain(governance -> {
            BudgetLimits limits = governance.budget();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (BudgetPeriod period : BudgetPeriod.ofReservation(row.monthStart, row.weekStart, row.dayStart,
                    governance.organization().timeZone())) {
                chain = chain.chain(() -> ledger.agentTotals(row.agentId, period.name(), period.start())
                        .chain(totals -> announce(row.organizationId, row.agentId, BudgetScopes.usdScope(period),
                                period, limits.usdMicros(period), totals.spent(), now)));
            }
            BudgetPeriod month = BudgetPeriod.of(BudgetPeriod.MONTHLY, row.monthStart);
            long orgBudget = governance.organization().monthlyBudgetMicros();
            return !withOrganization || orgBudget < 0 ? chain
                    : chain.chain(() -> ledger.organizationTotals(row.organizationId, month.start())
                            .chain(totals -> announce(row.organizationId, null, BudgetScopes.ORGANIZATION_MONTHLY,
                                    month, orgBudget, totals.spent(), now)));
        });
    }

    private Uni<Void> announce(String organizationId, String agentId, String scope, BudgetPeriod period,
            long limitMicros, BigDecimal spent, Instant now) {
        if (limitMicros <= 0) {
            return Uni.createFrom().voidItem();
        }
        long spentMicros = Money.actualMicros(spent);
        String scopeId = agentId != null ? agentId : organizationId;
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int threshold : THRESHOLDS) {
            // spent >= threshold % of the limit, in integers
            if (spentMicros * 100 < limitMicros * threshold) {
                break;
            }
            chain = chain.chain(() -> ledger.markThreshold(scopeId, scope, period.start(), threshold)
                    .chain(first -> !first ? Uni.createFrom().voidItem()
                            : outbox.add(Topics.GOVERNANCE, EventTypes.BUDGET_THRESHOLD_CROSSED, scopeId,
                                    organizationId, new BudgetThresholdEvent(organizationId, agentId, scope,
                                            period.name(), period.startsAt(), period.resetsAt(), threshold,
                                            Money.usd(spentMicros), Money.usd(limitMicros),
                                            Money.usd(limitMicros - spentMicros), now))
                                    .replaceWithVoid()));
        }
        return chain;
    }
}
