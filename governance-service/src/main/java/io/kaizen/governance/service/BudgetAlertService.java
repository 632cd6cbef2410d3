package io.kaizen.governance.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import io.kaizen.common.egress.EgressGuard;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceConfigEvent;
import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.governance.budget.BudgetAlertConfig;
import io.kaizen.governance.domain.AgentGovernance;
import io.kaizen.governance.domain.BudgetAlertRecord;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Budget alert configuration of agents and organisations. An agent without its own takes its organisation's, and an
 * organisation without one the defaults ({@link BudgetAlertConfig#DEFAULT}: thresholds 50/75/90/100 %, nobody told).
 * Every change is a {@code config.updated} event naming the changed fields ({@code budget_alerts.<field>}).
 */
@ApplicationScoped
public class BudgetAlertService {

    /** Where an effective configuration comes from. */
    public static final String AGENT = "agent";
    public static final String ORGANIZATION = "organization";
    public static final String DEFAULT = "default";

    /** The configuration that applies to an agent (or, {@code agentId} null, to the organisation) and its source. */
    public record Effective(String organizationId, String agentId, String source, BudgetAlertConfig config,
            Instant updatedAt) {
    }

    /** The configurations stored for the scopes of a settlement batch. */
    public record Applicable(Map<BudgetAlertRecord.Key, BudgetAlertConfig> stored) {

        /** The configuration of an agent's budgets: its own, else its organisation's, else the defaults. */
        public BudgetAlertConfig agent(String organizationId, String agentId) {
            BudgetAlertConfig own = stored.get(new BudgetAlertRecord.Key(organizationId, agentId));
            return own != null ? own : organization(organizationId);
        }

        /** The configuration of the organisation's budget: its own, else the defaults. */
        public BudgetAlertConfig organization(String organizationId) {
            return stored.getOrDefault(new BudgetAlertRecord.Key(organizationId, BudgetAlertRecord.ORGANIZATION),
                    BudgetAlertConfig.DEFAULT);
        }
    }

    private final JsonColumns json;
    private final Outbox outbox;
    private final EgressGuard egress;

    BudgetAlertService(JsonColumns json, Outbox outbox, EgressGuard egress) {
        this.json = json;
        this.outbox = outbox;
        this.egress = egress;
    }

    /** The effective configuration; {@code agentId} null for the organisation's. */
    @WithSession
    public Uni<Effective> get(String organizationId, String agentId) {
        return requireAgent(organizationId, agentId).chain(() -> effective(organizationId, agentId));
    }

    /** Replaces the agent's (or organisation's) own configuration; missing fields take their defaults. */
    @WithTransaction
    public Uni<Effective> put(String organizationId, String agentId, BudgetAlertConfig given, String actor) {
        if (given == null) {
            throw ProblemException.validation("request body is required");
        }
        GovernanceValidation.budgetAlerts(given, egress);
        BudgetAlertConfig config = given.withDefaults();
        return requireAgent(organizationId, agentId)
                .chain(() -> requireChannels(organizationId, config.channels()))
                .chain(() -> BudgetAlertRecord.<BudgetAlertRecord>findById(key(organizationId, agentId),
                        LockModeType.PESSIMISTIC_WRITE))
                .chain(found -> {
                    BudgetAlertRecord row = found;
                    List<String> changed = changes(found == null ? null : config(found), config);
                    if (row == null) {
                        row = new BudgetAlertRecord();
                        row.organizationId = organizationId;
                        row.agentId = agentId == null ? BudgetAlertRecord.ORGANIZATION : agentId;
                    }
                    row.thresholds = json.write(config.thresholds());
                    row.alertOncePerThreshold = config.alertOncePerThreshold();
                    row.cooldownMinutes = config.cooldownMinutes();
                    row.includeForecast = config.includeForecast();
                    row.webhookUrl = config.webhookUrl();
                    row.emailRecipients = json.write(config.emailRecipients());
                    row.channels = json.write(config.channels());
                    row.updatedAt = Instant.now();
                    return row.persist().chain(() -> updated(organizationId, agentId, changed, actor));
                })
                .chain(() -> effective(organizationId, agentId));
    }

    /** Removes the agent's (or organisation's) own configuration: the organisation's (or the defaults) apply again. */
    @WithTransaction
    public Uni<Effective> delete(String organizationId, String agentId, String actor) {
        return requireAgent(organizationId, agentId)
                .chain(() -> BudgetAlertRecord.<BudgetAlertRecord>findById(key(organizationId, agentId),
                        LockModeType.PESSIMISTIC_WRITE))
                .chain(found -> found == null ? Uni.createFrom().voidItem()
                        : found.delete().chain(() -> updated(organizationId, agentId, List.of("budget_alerts"), actor)))
                .chain(() -> effective(organizationId, agentId));
    }

    /**
     * The stored configurations a settlement batch needs, in one query: those of its organisations and of its agents.
     * Runs in the caller's session.
     */
    public Uni<Applicable> applicable(Collection<String> organizationIds, Collection<String> agentIds) {
        if (organizationIds.isEmpty()) {
            return Uni.createFrom().item(new Applicable(Map.of()));
        }
        List<String> owners = new ArrayList<>(agentIds);
        owners.add(BudgetAlertRecord.ORGANIZATION);
        return Panache.getSession().chain(session -> session.createNativeQuery(APPLICABLE, BudgetAlertRecord.class)
                        .setParameter("organizations", JsonIds.json(organizationIds))
                        .setParameter("owners", JsonIds.json(owners))
                        .getResultList())
                .map(rows -> {
                    Map<BudgetAlertRecord.Key, BudgetAlertConfig> stored = new HashMap<>();
                    rows.forEach(row -> stored.put(new BudgetAlertRecord.Key(row.organizationId, row.agentId),
                            config(row)));
                    return new Applicable(stored);
                });
    }

    /** Its ids in two parameters ({@link JsonIds}): one statement however many a batch names. */
    private static final String APPLICABLE = "select * from budget_alert_config where organization_id in "
            + JsonIds.in("organizations") + " and agent_id in " + JsonIds.in("owners");

    private Uni<Effective> effective(String organizationId, String agentId) {
        Uni<BudgetAlertRecord> own = agentId == null ? Uni.createFrom().nullItem()
                : BudgetAlertRecord.findById(key(organizationId, agentId));
        return own.chain(agentRow -> agentRow != null
                ? Uni.createFrom().item(new Effective(organizationId, agentId, AGENT, config(agentRow),
                        agentRow.updatedAt))
                : BudgetAlertRecord.<BudgetAlertRecord>findById(key(organizationId, null))
                        .map(orgRow -> orgRow != null
                                ? new Effective(organizationId, agentId, ORGANIZATION, config(orgRow), orgRow.updatedAt)
                                : new Effective(organizationId, agentId, DEFAULT, BudgetAlertConfig.DEFAULT, null)));
    }

    private BudgetAlertConfig config(BudgetAlertRecord row) {
        return new BudgetAlertConfig(json.decimals(row.thresholds), row.alertOncePerThreshold, row.cooldownMinutes,
                row.webhookUrl, json.strings(row.emailRecipients), json.strings(row.channels), row.includeForecast);
    }

    private static BudgetAlertRecord.Key key(String organizationId, String agentId) {
        return new BudgetAlertRecord.Key(organizationId, agentId == null ? BudgetAlertRecord.ORGANIZATION : agentId);
    }

    /** An agent of another organisation, deleted or unknown is a 404; nothing to check for the organisation. */
    private static Uni<Void> requireAgent(String organizationId, String agentId) {
        if (agentId == null) {
            return Uni.createFrom().voidItem();
        }
        return AgentGovernance.<AgentGovernance>findById(agentId).map(row -> {
            if (!ownAgent(row, organizationId)) {
                throw AgentGovernanceService.notFound(agentId);
            }
            return null;
        }).replaceWithVoid();
    }

    /** Every channel must be a registered, not deleted agent of the organisation (the gateway tells through it). */
    private static Uni<Void> requireChannels(String organizationId, List<String> channels) {
        if (channels.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().range(0, channels.size())
                .onItem().transformToUniAndConcatenate(i -> AgentGovernance.<AgentGovernance>findById(channels.get(i))
                        .invoke(row -> {
                            if (!ownAgent(row, organizationId)) {
                                throw GovernanceValidation.invalid("channels[" + i + "]",
                                        "names no registered agent of the organisation");
                            }
                        }))
                .collect().last().replaceWithVoid();
    }

    private static boolean ownAgent(AgentGovernance row, String organizationId) {
        return row != null && row.deletedAt == null && row.organizationId.equals(organizationId);
    }

    private Uni<Void> updated(String organizationId, String agentId, List<String> changed, String actor) {
        if (changed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return outbox.add(Topics.GOVERNANCE, EventTypes.GOVERNANCE_CONFIG_UPDATED,
                agentId != null ? agentId : organizationId, organizationId,
                new GovernanceConfigEvent(organizationId, agentId, agentId != null ? AGENT : ORGANIZATION, changed,
                        actor, Instant.now())).replaceWithVoid();
    }

    /** Each field's reader, by its name in {@code config.updated}. */
    private static final Map<String, Function<BudgetAlertConfig, Object>> FIELDS = fields();

    private static Map<String, Function<BudgetAlertConfig, Object>> fields() {
        Map<String, Function<BudgetAlertConfig, Object>> fields = new LinkedHashMap<>();
        fields.put("thresholds", BudgetAlertConfig::thresholds);
        fields.put("alert_once_per_threshold", BudgetAlertConfig::alertOncePerThreshold);
        fields.put("cooldown_minutes", BudgetAlertConfig::cooldownMinutes);
        fields.put("webhook_url", BudgetAlertConfig::webhookUrl);
        fields.put("email_recipients", BudgetAlertConfig::emailRecipients);
        fields.put("channels", BudgetAlertConfig::channels);
        fields.put("include_forecast", BudgetAlertConfig::includeForecast);
        return fields;
    }

    /** The fields that differ ({@code budget_alerts.<field>}); all of them when there was no configuration. */
    private static List<String> changes(BudgetAlertConfig before, BudgetAlertConfig after) {
        return FIELDS.entrySet().stream()
                .filter(field -> before == null
                        || !Objects.equals(field.getValue().apply(before), field.getValue().apply(after)))
                .map(field -> "budget_alerts." + field.getKey())
                .toList();
    }
}
