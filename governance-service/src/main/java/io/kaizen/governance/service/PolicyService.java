package io.kaizen.governance.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.PolicyEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;
import io.kaizen.common.rest.TextLength;
import io.kaizen.governance.domain.PolicyRecord;
import io.kaizen.governance.policy.CombiningStrategy;
import io.kaizen.governance.policy.Effect;
import io.kaizen.governance.policy.Policy;
import io.kaizen.governance.policy.PolicyContext;
import io.kaizen.governance.policy.PolicyEvaluation;
import io.kaizen.governance.policy.PolicyEvaluator;
import io.kaizen.governance.policy.PolicyValidator;
import io.kaizen.governance.rest.PolicyMessages.PolicyPage;
import io.kaizen.governance.rest.PolicyMessages.PolicyRequest;
import io.kaizen.governance.rest.PolicyMessages.PolicyView;
import io.kaizen.governance.rest.PolicyMessages.SimulationRequest;
import io.kaizen.governance.rest.PolicyMessages.SimulationView;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** ABAC policies of an organisation: validated CRUD with versions and events, and side-effect-free simulation. */
@ApplicationScoped
public class PolicyService {

    private static final int DEFAULT_PRIORITY = 100;
    private static final int MAX_PRIORITY = 100_000;

    private final GovernanceSnapshots snapshots;
    private final JsonColumns json;
    private final Outbox outbox;

    PolicyService(GovernanceSnapshots snapshots, JsonColumns json, Outbox outbox) {
        this.snapshots = snapshots;
        this.json = json;
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<PolicyView> create(String organizationId, String actor, PolicyRequest request) {
        Policy validated = validate(request, null);
        PolicyRecord record = new PolicyRecord();
        record.id = PrefixedId.next(PrefixedId.POLICY);
        record.organizationId = organizationId;
        record.createdBy = actor;
        record.createdAt = Instant.now();
        record.version = 1;
        write(record, request, validated);
        return requireUniqueName(organizationId, record.name, null)
                .chain(() -> record.<PolicyRecord>persist())
                .call(saved -> event(EventTypes.POLICY_CREATED, saved, actor))
                .call(() -> snapshots.organizationChanged(organizationId))
                .map(this::view);
    }

    @WithSession
    public Uni<PolicyPage> list(String organizationId, Paging paging) {
        var query = PolicyRecord.<PolicyRecord>find("organizationId", Sort.by("priority").and("id"), organizationId)
                .page(Page.of(paging.page() - 1, paging.limit()));
        return query.list().chain(items -> query.count()
                .map(total -> new PolicyPage(items.stream().map(this::view).toList(), total, paging.page(),
                        paging.limit(), paging.hasMore(total))));
    }

    @WithSession
    public Uni<PolicyView> get(String organizationId, String id) {
        return find(organizationId, id).map(this::view);
    }

    @WithTransaction
    public Uni<PolicyView> update(String organizationId, String id, String actor, PolicyRequest patch) {
        if (patch == null) {
            throw ProblemException.validation("request body is required");
        }
        return find(organizationId, id).chain(record -> {
            PolicyRequest merged = new PolicyRequest(
                    patch.name() != null ? patch.name() : record.name,
                    patch.description() != null ? patch.description() : record.description,
                    patch.effect() != null ? patch.effect() : record.effect,
                    patch.priority() != null ? patch.priority() : record.priority,
                    patch.enabled() != null ? patch.enabled() : record.enabled,
                    patch.target() != null ? patch.target() : json.tree(record.target),
                    patch.match() != null ? patch.match() : record.match,
                    patch.conditions() != null ? patch.conditions() : json.tree(record.conditions));
            Policy validated = validate(merged, record.id);
            // checked before the record changes: the query would first flush a taken name into the unique index
            return requireUniqueName(organizationId, validated.name(), record.id).chain(() -> {
                String before = fingerprint(record);
                write(record, merged, validated);
                if (before.equals(fingerprint(record))) {
                    return Uni.createFrom().item(record);
                }
                record.version++;
                record.updatedAt = Instant.now();
                return event(EventTypes.POLICY_UPDATED, record, actor).replaceWith(record);
            });
        }).call(() -> snapshots.organizationChanged(organizationId)).map(this::view);
    }

    @WithTransaction
    public Uni<Void> delete(String organizationId, String id, String actor) {
        return find(organizationId, id)
                .call(record -> event(EventTypes.POLICY_DELETED, record, actor))
                .call(PolicyRecord::delete)
                .call(() -> snapshots.organizationChanged(organizationId))
                .replaceWithVoid();
    }

    /** Explains the decision the organisation's policies (or the given drafts) would make; changes nothing. */
    @WithSession
    public Uni<SimulationView> simulate(String organizationId, SimulationRequest request) {
        if (request == null) {
            throw ProblemException.validation("request body is required");
        }
        List<Policy> drafts = null;
        if (request.policies() != null) {
            drafts = new ArrayList<>();
            for (int i = 0; i < request.policies().size(); i++) {
                Policy draft = validateAt(request.policies().get(i), "draft_" + (i + 1), "policies[" + i + "].");
                drafts.add(draft);
            }
        }
        CombiningStrategy strategyOverride = request.combiningStrategy() == null ? null
                : PolicyValidator.strategy(request.combiningStrategy(), "combining_strategy");
        Effect effectOverride = request.defaultEffect() == null ? null
                : PolicyValidator.effect(request.defaultEffect(), "default_effect");
        List<Policy> given = drafts;
        Uni<EffectiveGovernance> agent = request.agentId() == null ? Uni.createFrom().nullItem()
                : snapshots.agent(request.agentId(), organizationId).map(governance -> {
                    if (!governance.organizationId().equals(organizationId)) {
                        throw AgentGovernanceService.notFound(request.agentId());
                    }
                    return governance;
                });
        return agent.chain(governance -> snapshots.organization(organizationId).map(organization -> {
            Instant at = request.timestamp() != null ? request.timestamp() : Instant.now();
            PolicyContext context = new PolicyContext(organizationId, request.agentId(),
                    request.platform() != null ? request.platform() : governance == null ? null : governance.platform(),
                    request.tags() != null ? request.tags() : governance == null ? List.of() : governance.tags(),
                    request.environment() != null ? request.environment()
                            : governance == null ? null : governance.environment(),
                    request.userId(), request.subject(), request.roles(), request.teamId(), request.ip(),
                    request.country(), request.estimatedCost(), request.tokens(), at);
            CombiningStrategy strategy = strategyOverride != null ? strategyOverride : organization.strategy();
            Effect defaultEffect = effectOverride != null ? effectOverride : organization.defaultEffect();
            PolicyEvaluation evaluation = PolicyEvaluator.evaluate(given != null ? given : organization.policies(),
                    strategy, defaultEffect, context);
            return new SimulationView(evaluation.effect().wire(), evaluation.reason(), evaluation.decidingPolicyId(),
                    evaluation.matchedPolicies(), evaluation.defaultEffectApplied(), strategy.name(),
                    defaultEffect.wire(), at, evaluation.policies());
        }));
    }

    private Uni<PolicyRecord> find(String organizationId, String id) {
        return PolicyRecord.<PolicyRecord>findById(id).map(record -> {
            if (record == null || !record.organizationId.equals(organizationId)) {
                throw ProblemException.notFound("Policy " + id + " does not exist or you don't have access");
            }
            return record;
        });
    }

    private Uni<Void> requireUniqueName(String organizationId, String name, String except) {
        return PolicyRecord.count("organizationId = ?1 and lower(name) = ?2 and id <> ?3", organizationId,
                name.toLowerCase(Locale.ROOT), except == null ? "" : except)
                .map(count -> {
                    if (count > 0) {
                        throw ProblemException.conflict("A policy named '" + name + "' already exists")
                                .with("field", "name");
                    }
                    return null;
                }).replaceWithVoid();
    }

    private Uni<Void> event(String type, PolicyRecord record, String actor) {
        return outbox.add(Topics.GOVERNANCE, type, record.id, record.organizationId, new PolicyEvent(record.id,
                record.organizationId, record.name, record.effect, record.priority, record.enabled, record.version,
                actor, Instant.now())).replaceWithVoid();
    }

    private static Policy validate(PolicyRequest request, String id) {
        if (request == null) {
            throw ProblemException.validation("request body is required");
        }
        return validateAt(request, id == null ? "new" : id, "");
    }

    private static Policy validateAt(PolicyRequest request, String id, String prefix) {
        if (request.name() == null || request.name().isBlank() || TextLength.of(request.name()) > 255) {
            throw ProblemException.validation(prefix + "name is required (1 to 255 characters)").with("field", prefix + "name");
        }
        if (request.description() != null && TextLength.of(request.description()) > 1000) {
            throw ProblemException.validation(prefix + "description may have at most 1000 characters")
                    .with("field", prefix + "description");
        }
        int priority = request.priority() == null ? DEFAULT_PRIORITY : request.priority();
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw ProblemException.validation(prefix + "priority must be between 0 and " + MAX_PRIORITY)
                    .with("field", prefix + "priority");
        }
        return new Policy(id, request.name().strip(), PolicyValidator.effect(request.effect(), prefix + "effect"), priority,
                request.enabled() == null || request.enabled(), 1, PolicyValidator.target(request.target(), prefix + "target"),
                PolicyValidator.matchAll(request.match(), prefix + "match"),
                PolicyValidator.conditions(request.conditions(), prefix + "conditions"));
    }

    private void write(PolicyRecord record, PolicyRequest request, Policy validated) {
        record.name = validated.name();
        record.description = request.description();
        record.effect = validated.effect().wire();
        record.priority = validated.priority();
        record.enabled = validated.enabled();
        record.target = json.write(request.target() == null || request.target().isNull()
                ? json.tree("{}") : request.target());
        record.match = validated.matchAll() ? "all" : "any";
        record.conditions = json.write(request.conditions() == null || request.conditions().isNull()
                ? json.tree("[]") : request.conditions());
        record.updatedAt = record.updatedAt == null ? record.createdAt : record.updatedAt;
    }

    private static String fingerprint(PolicyRecord record) {
        return String.join("\u0000", record.name, String.valueOf(record.description), record.effect,
                Integer.toString(record.priority), Boolean.toString(record.enabled), record.target, record.match,
                record.conditions);
    }

    private PolicyView view(PolicyRecord record) {
        JsonNode target = json.tree(record.target);
        return new PolicyView(record.id, record.organizationId, record.name, record.description, record.effect,
                record.priority, record.enabled, target, record.match, json.tree(record.conditions), record.version,
                record.createdBy, record.createdAt, record.updatedAt);
    }
}
