package io.kaizen.governance.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceConfigEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.budget.Money;
import io.kaizen.governance.domain.OrganizationGovernance;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.rest.GovernanceRequests.OrganizationSettings;
import io.kaizen.governance.rest.GovernanceViews.OrganizationSettingsView;
import io.kaizen.governance.service.EffectiveGovernance.OrganizationPolicies;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Organisation-wide governance settings: policy combining strategy and default effect, the monthly budget across
 * all agents (-1 removes it), the approval-trigger defaults of the organisation's agents and the time zone weekly
 * budgets start in.
 */
@ApplicationScoped
public class OrganizationSettingsService {

    private final GovernanceSnapshots snapshots;
    private final JsonColumns json;
    private final Outbox outbox;

    OrganizationSettingsService(GovernanceSnapshots snapshots, JsonColumns json, Outbox outbox) {
        this.snapshots = snapshots;
        this.json = json;
        this.outbox = outbox;
    }

    @WithSession
    public Uni<OrganizationSettingsView> get(String organizationId) {
        return view(organizationId, snapshots.organization(organizationId));
    }

    private static Uni<OrganizationSettingsView> view(String organizationId, Uni<OrganizationPolicies> policies) {
        return OrganizationGovernance.<OrganizationGovernance>findById(organizationId)
                .chain(row -> policies.map(effective -> new OrganizationSettingsView(
                        organizationId, effective.strategy().name(), effective.defaultEffect().wire(),
                        effective.monthlyBudgetMicros() < 0 ? null : Money.usd(effective.monthlyBudgetMicros()),
                        effective.triggerDefaults(), effective.timeZone().getId(), row == null ? null : row.updatedAt)));
    }

    @WithTransaction
    public Uni<OrganizationSettingsView> patch(String organizationId, OrganizationSettings patch, String actor) {
        if (patch == null) {
            throw ProblemException.validation("request body is required");
        }
        String strategy = patch.combiningStrategy() == null ? null
                : PolicyValidator.strategy(patch.combiningStrategy(), "combining_strategy").name();
        String effect = patch.defaultEffect() == null ? null
                : PolicyValidator.effect(patch.defaultEffect(), "default_effect").wire();
        GovernanceValidation.usd("monthly_budget_usd", patch.monthlyBudgetUsd(), true);
        GovernanceValidation.triggers(patch.approvalTriggers(), "approval_triggers.");
        GovernanceValidation.timeZone("time_zone", patch.timeZone());
        return OrganizationGovernance.<OrganizationGovernance>findById(organizationId)
                .chain(found -> {
                    OrganizationGovernance row = found;
                    if (row == null) {
                        row = new OrganizationGovernance();
                        row.organizationId = organizationId;
                    }
                    List<String> changed = new ArrayList<>();
                    if (strategy != null && !strategy.equals(row.combiningStrategy)) {
                        row.combiningStrategy = strategy;
                        changed.add("combining_strategy");
                    }
                    if (effect != null && !effect.equals(row.defaultEffect)) {
                        row.defaultEffect = effect;
                        changed.add("default_effect");
                    }
                    if (patch.monthlyBudgetUsd() != null) {
                        row.monthlyBudgetUsd = patch.monthlyBudgetUsd().signum() < 0 ? null : patch.monthlyBudgetUsd();
                        changed.add("monthly_budget_usd");
                    }
                    if (patch.approvalTriggers() != null) {
                        row.approvalTriggers = json.write(patch.approvalTriggers());
                        changed.add("approval_triggers");
                    }
                    if (patch.timeZone() != null && !patch.timeZone().equals(row.timeZone)) {
                        row.timeZone = patch.timeZone();
                        changed.add("time_zone");
                    }
                    row.updatedAt = Instant.now();
                    OrganizationGovernance saved = row;
                    return row.persist().chain(() -> changed.isEmpty() ? Uni.createFrom().voidItem()
                            : outbox.add(Topics.GOVERNANCE, EventTypes.GOVERNANCE_CONFIG_UPDATED, organizationId,
                                    organizationId, new GovernanceConfigEvent(organizationId, null,
                                            "organization", changed, actor, saved.updatedAt)).replaceWithVoid());
                })
                .call(() -> snapshots.organizationChanged(organizationId))
                .chain(() -> view(organizationId, snapshots.loadOrganization(organizationId)));
    }
}
