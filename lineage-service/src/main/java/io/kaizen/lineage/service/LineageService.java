package io.kaizen.lineage.service;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.DeliveryEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.events.CredentialHeaders;
import io.kaizen.common.governance.BudgetRemaining;
import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.problem.ProblemException;
import io.kaizen.lineage.domain.LineageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.PreparedStatement;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The lineage rows: one per invocation, merged from its {@code invocation.*} events whatever order they come in, and
 * read back by filters in keyset order (newest request first).
 */
@ApplicationScoped
public class LineageService {

    /** Rows per database round trip of an export. */
    static final int EXPORT_PAGE = 500;

    /**
     * What one event tells lineage about the invocations it names: an {@code invocation.*} event, a governance
     * decision, an approval request's step or the settling of an answer's delivery.
     */
    public sealed interface Fact permits Invoked, Decided, Approval, Delivered {

        String organizationId();

        /** The invocations whose rows it merges into (an approval request may decide several). */
        List<String> invocationIds();

        /** The invoked agent, which a row made from this event alone needs; null when the event does not say. */
        String agentId();

        Instant time();
    }

    /** An {@code invocation.*} event: its type and time, and its data. */
    public record Invoked(String type, Instant time, InvocationEvent event) implements Fact {

        @Override
        public String organizationId() {
            return event.organizationId();
        }

        @Override
        public List<String> invocationIds() {
            return List.of(event.invocationId());
        }

        @Override
        public String agentId() {
            return event.agent().id();
        }
    }

    /** A {@code governance.decision.*} event about an invocation. */
    public record Decided(Instant time, GovernanceDecisionEvent event) implements Fact {

        @Override
        public String organizationId() {
            return event.organizationId();
        }

        @Override
        public List<String> invocationIds() {
            return List.of(event.invocationId());
        }

        @Override
        public String agentId() {
            return event.agentId();
        }
    }

    /** An {@code approval.*} event: the request as it stands, for each invocation it decides. */
    public record Approval(Instant time, ApprovalEvent event) implements Fact {

        @Override
        public String organizationId() {
            return event.organizationId();
        }

        @Override
        public List<String> invocationIds() {
            return event.invocationIds();
        }

        @Override
        public String agentId() {
            return event.agentId();
        }

        /** Everyone who decided so far: approvers, rejecters and the decider just recorded. */
        List<String> deciders() {
            List<String> deciders = new ArrayList<>();
            if (event.approvers() != null) {
                deciders.addAll(event.approvers());
            }
            if (event.rejecters() != null) {
                deciders.addAll(event.rejecters());
            }
            if (event.decidedBy() != null) {
                deciders.add(event.decidedBy());
            }
            deciders.removeIf(Objects::isNull);
            return deciders;
        }
    }

    /** An {@code invocation.delivery_settled} event: how the delivery of the answer ended. */
    public record Delivered(Instant time, DeliveryEvent event) implements Fact {

        @Override
        public String organizationId() {
            return event.organizationId();
        }

        @Override
        public List<String> invocationIds() {
            return List.of(event.invocationId());
        }

        @Override
        public String agentId() {
            return event.agentId();
        }
    }

    /** Filters of a list or export, null meaning any; {@code to} is exclusive. */
    public record Query(String organizationId, String externalUserId, String externalUserEmail, String externalSystem,
            String externalAgentId, String status, Instant from, Instant to) {
    }

    public record Slice(List<LineageRecord> items, long total) {
    }

    /** Rows read by exports, {@code kaizen_lineage_export_rows_total}: how much exports ask of the database. */
    public static final String EXPORT_ROWS = "kaizen.lineage.export.rows";

    private final ObjectMapper mapper;
    private final PersonalFields personal;
    private final ErasedPeople erased;
    private final Counter exportRows;
    private final Pool pool;

    LineageService(ObjectMapper mapper, PersonalFields personal, ErasedPeople erased, MeterRegistry registry,
            Pool pool) {
        this.mapper = mapper;
        this.pool = pool;
        this.personal = personal;
        this.erased = erased;
        this.exportRows = Counter.builder(EXPORT_ROWS).description("Lineage rows read by exports").register(registry);
    }

    /**
     * Merges events into their invocations' rows; runs inside the consumer's transaction, which writes them together.
     * An {@code invocation.*} event whose status rank is at least the row's sets the status and overwrites the fields
     * it carries; an earlier event arriving late only fills fields still empty. Governance decisions only fill the
     * governance fields the invocation's events left empty; approval steps and delivery outcomes move their own
     * status forward by their own ranks ({@link #approvalRank}, {@link #deliveryRank}), whatever order they come in.
     * An event of an invocation requested before its person's erasure is merged without their personal fields, and
     * an erased decider of an approval is kept as {@code [REDACTED]} ({@link ErasedPeople}).
     */
    public Uni<Void> record(List<? extends Fact> facts) {
        Set<String> ids = new LinkedHashSet<>();
        Map<String, Set<String>> people = new HashMap<>();
        for (Fact fact : facts) {
            ids.addAll(fact.invocationIds());
            Set<String> ofOrg = people.computeIfAbsent(fact.organizationId(), ignored -> new HashSet<>());
            if (fact instanceof Invoked invoked) {
                ofOrg.addAll(pseudonyms(invoked.event()));
            } else if (fact instanceof Approval approval) {
                approval.deciders().forEach(d -> ofOrg.add(personal.pseudonym(approval.organizationId(), d)));
            }
        }
        return erased.share(people.keySet())
                .chain(() -> erased.find(people))
                .chain(found -> existing(ids).chain(existing -> merge(facts, existing, found, null)))
                .call(Panache::flush);
    }

    /**
     * The rows of a batch's invocations, as managed entities (the merge changes them, the flush writes them), locked
     * until the transaction ends. The merge reads a row and writes it back whole, so two transactions merging into
     * one row at once (two consumers of the channel, or two replicas: an invocation's decision and approval events
     * come on other partitions than its own events) would each write what it read, and the later write would drop
     * the earlier one's facts; locked, the second waits for the first to commit and reads its row. Rows are locked in
     * id order, so two batches sharing rows never wait on each other in a cycle.
     * <p>
     * One statement for any number of ids, the ids travelling as one JSON array: an HQL {@code in} list is expanded
     * into one parameter per id, so each new batch size was a new SQL text that Hibernate translated again (seconds
     * on a cold service, with the event loop blocked) and PostgreSQL planned again; batches of an open stream vary in
     * size from one to the next.
     */
    private Uni<List<LineageRecord>> existing(Set<String> ids) {
        return Panache.getSession().chain(session -> session.createNativeQuery(EXISTING, LineageRecord.class)
                .setParameter("ids", JsonIds.json(ids))
                .getResultList());
    }

    private static final String EXISTING = "select * from lineage_record where invocation_id in " + JsonIds.in("ids")
            + " order by invocation_id for update";

    /**
     * Merges the facts into the rows of their invocations ({@code only} those of these ids, null for all), creating
     * the rows that do not exist. A row another consumer inserted after {@link #existing} found none is read then
     * (the insert waited for that consumer's commit) and the facts of its invocation are merged into it, in the same
     * transaction.
     */
    private Uni<Void> merge(List<? extends Fact> facts, List<LineageRecord> existing, ErasedPeople.Found found,
            Set<String> only) {
        Map<String, LineageRecord> rows = new LinkedHashMap<>();
        existing.forEach(row -> rows.put(row.invocationId, row));
        List<LineageRecord> created = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        for (Fact fact : facts) {
            for (String invocationId : fact.invocationIds()) {
                if (only != null && !only.contains(invocationId)) {
                    continue;
                }
                LineageRecord row = rows.get(invocationId);
                if (row == null) {
                    if (fact.agentId() == null) {
                        // nothing to place it by (a delivery of an invocation lineage never saw); its event is audited
                        continue;
                    }
                    row = new LineageRecord();
                    row.invocationId = invocationId;
                    row.organizationId = fact.organizationId();
                    row.externalAgentId = fact.agentId();
                    row.createdAt = now;
                    rows.put(row.invocationId, row);
                    created.add(row);
                } else if (!row.organizationId.equals(fact.organizationId())) {
                    // an invocation belongs to one organisation: another's event never reaches its row
                    throw new PoisonEventException("invocation " + row.invocationId
                            + " belongs to another organisation than its event's");
                }
                if (fact instanceof Invoked invoked) {
                    merge(row, withoutErasedPerson(row, invoked, found));
                } else if (fact instanceof Decided decided) {
                    merge(row, decided.event());
                } else if (fact instanceof Approval approval) {
                    merge(row, approval, found);
                } else if (fact instanceof Delivered delivered) {
                    merge(row, delivered.event());
                }
                if (row.status == null) {
                    // a row known so far only from governance, approval or delivery: its own events take it over
                    row.status = fact instanceof Approval ? "held" : "pending";
                    row.statusRank = 0;
                }
                if (row.requestTimestamp == null) {
                    row.requestTimestamp = micros(fact.time());
                }
                row.updatedAt = now;
            }
        }
        if (created.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return insert(created).chain(taken -> taken.isEmpty() ? Uni.createFrom().voidItem()
                : existing(taken).chain(rowsNow -> merge(facts, rowsNow, found, taken)));
    }

    /**
     * New rows of the batch in one statement, their values as one parameter ({@link BatchRows}), rather than a managed
     * entity and its bindings per row. A row another consumer inserted meanwhile is not inserted again
     * ({@code on conflict do nothing}, which waits for that consumer's commit); answers the ids of those rows. Rows go
     * in id order, as {@link #existing} locks them, so two batches inserting the same new rows wait for each other in
     * one direction only.
     */
    private Uni<Set<String>> insert(List<LineageRecord> created) {
        List<Map<String, Object>> rows = new ArrayList<>(created.size());
        for (LineageRecord r : created.stream().sorted(Comparator.comparing(c -> c.invocationId)).toList()) {
            rows.add(row(r));
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(INSERT, String.class)
                        .setParameter("rows", BatchRows.utf8(mapper, rows))
                        .getResultList())
                .map(inserted -> {
                    Set<String> taken = new TreeSet<>();
                    created.forEach(row -> taken.add(row.invocationId));
                    inserted.forEach(taken::remove);
                    return taken;
                });
    }

    /** The columns that are not text, as {@link #INSERT} reads them from the JSON rows. */
    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("request_timestamp", "timestamptz"),
            Map.entry("response_timestamp", "timestamptz"), Map.entry("created_at", "timestamptz"),
            Map.entry("updated_at", "timestamptz"), Map.entry("duration_ms", "bigint"),
            Map.entry("input_tokens", "bigint"), Map.entry("output_tokens", "bigint"),
            Map.entry("rate_limit_remaining", "bigint"), Map.entry("cost_usd", "numeric"),
            Map.entry("budget_remaining_before", "numeric"), Map.entry("budget_remaining_after", "numeric"),
            Map.entry("response_status_code", "integer"), Map.entry("status_rank", "smallint"));
    // EXPORT_COLUMNS, declared below with the export, names every column in the entity's order
    private static final String INSERT = "insert into lineage_record (" + LineageService.EXPORT_COLUMNS + ")"
            + " select * from " + BatchRows.RECORDS + " as r("
            + Arrays.stream(LineageService.EXPORT_COLUMNS.split(", ")).map(c -> c + " " + TYPES.getOrDefault(c, "text"))
                    .collect(Collectors.joining(", "))
            + ") on conflict (invocation_id) do nothing returning invocation_id";

    /** A new row as a row of {@link #INSERT}, by column name; times as ISO-8601 text, read exactly. */
    private static Map<String, Object> row(LineageRecord r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("invocation_id", r.invocationId);
        row.put("organization_id", r.organizationId);
        row.put("status", r.status);
        row.put("external_user_id", r.externalUserId);
        row.put("external_user_email", r.externalUserEmail);
        row.put("external_user_name", r.externalUserName);
        row.put("external_user_role", r.externalUserRole);
        row.put("external_system", r.externalSystem);
        row.put("external_session_id", r.externalSessionId);
        row.put("external_trace_id", r.externalTraceId);
        row.put("external_context", r.externalContext);
        row.put("auth_method", r.authMethod);
        row.put("auth_subject", r.authSubject);
        row.put("api_key_id", r.apiKeyId);
        row.put("api_key_prefix", r.apiKeyPrefix);
        row.put("team_id", r.teamId);
        row.put("external_agent_id", r.externalAgentId);
        row.put("external_agent_name", r.externalAgentName);
        row.put("external_agent_platform", r.externalAgentPlatform);
        row.put("external_agent_endpoint", r.externalAgentEndpoint);
        row.put("external_agent_version", r.externalAgentVersion);
        row.put("trace_id", r.traceId);
        row.put("span_id", r.spanId);
        row.put("parent_trace_id", r.parentTraceId);
        row.put("ip_address", r.ipAddress);
        row.put("user_agent", r.userAgent);
        row.put("request_headers", r.requestHeaders);
        row.put("request_timestamp", text(r.requestTimestamp));
        row.put("response_timestamp", text(r.responseTimestamp));
        row.put("duration_ms", r.durationMs);
        row.put("cost_usd", r.costUsd);
        row.put("input_tokens", r.inputTokens);
        row.put("output_tokens", r.outputTokens);
        row.put("response_status_code", r.responseStatusCode);
        row.put("error_code", r.errorCode);
        row.put("error_message", r.errorMessage);
        row.put("decision", r.decision);
        row.put("decision_id", r.decisionId);
        row.put("governance_reason", r.governanceReason);
        row.put("matched_policy_id", r.matchedPolicyId);
        row.put("budget_remaining_before", r.budgetRemainingBefore);
        row.put("budget_remaining_after", r.budgetRemainingAfter);
        row.put("rate_limit_remaining", r.rateLimitRemaining);
        row.put("approval_id", r.approvalId);
        row.put("approval_status", r.approvalStatus);
        row.put("approval_deciders", r.approvalDeciders);
        row.put("delivery_status", r.deliveryStatus);
        row.put("status_rank", r.statusRank);
        row.put("created_at", text(r.createdAt));
        row.put("updated_at", text(r.updatedAt));
        return row;
    }

    private static String text(Instant time) {
        return time == null ? null : time.toString();
    }

    /** The pseudonyms of the person an event names: their address and their external user id. */
    private List<String> pseudonyms(InvocationEvent e) {
        List<String> pseudonyms = new ArrayList<>(2);
        if (e.externalUser() != null) {
            if (e.externalUser().email() != null) {
                pseudonyms.add(personal.pseudonym(e.organizationId(), e.externalUser().email()));
            }
            if (e.externalUser().id() != null) {
                pseudonyms.add(personal.pseudonym(e.organizationId(), e.externalUser().id()));
            }
        }
        return pseudonyms;
    }

    /**
     * The fact as it may be kept: when it names an erased person and its invocation was requested before the
     * erasure, their personal fields go as the erasure took them from the row (a person who comes back after an
     * erasure is recorded anew).
     */
    private Invoked withoutErasedPerson(LineageRecord row, Invoked fact, ErasedPeople.Found found) {
        InvocationEvent e = fact.event();
        ErasedPeople.Erasure erasure = found.of(e.organizationId(), pseudonyms(e));
        if (erasure == null) {
            return fact;
        }
        Instant requested = row.requestTimestamp != null ? row.requestTimestamp
                : e.request() != null && e.request().requestedAt() != null ? e.request().requestedAt() : fact.time();
        if (requested.isAfter(erasure.erasedAt())) {
            return fact;
        }
        InvocationEvent.ExternalUser u = e.externalUser();
        InvocationEvent.ExternalSystem s = e.externalSystem();
        InvocationEvent.RequestContext r = e.request();
        return new Invoked(fact.type(), fact.time(), new InvocationEvent(e.invocationId(), e.organizationId(), e.status(),
                new InvocationEvent.ExternalUser(u.id() == null ? null : erasure.redactedId(),
                        u.email() == null ? null : LineageErasure.REDACTED,
                        u.name() == null ? null : LineageErasure.REDACTED, null),
                s == null ? null : new InvocationEvent.ExternalSystem(s.system(), null, s.traceId(), null),
                e.kaizenAuth(), e.agent(), e.trace(),
                r == null ? null : new InvocationEvent.RequestContext(null, null, r.requestedAt(), null),
                e.governance(), e.result()));
    }

    /** accepted 1, held 2, any outcome (completed, failed, blocked, rejected, expired) 3. */
    static short rank(String type) {
        if (EventTypes.INVOCATION_ACCEPTED.equals(type)) {
            return 1;
        }
        return (short) (EventTypes.INVOCATION_HELD.equals(type) ? 2 : 3);
    }

    /** The status an event type stands for when its data carries none: {@code kaizen.invocation.<status>.v1}. */
    static String statusOf(String type) {
        if (EventTypes.INVOCATION_ACCEPTED.equals(type)) {
            return "pending";
        }
        String prefix = "kaizen.invocation.";
        return type != null && type.startsWith(prefix) && type.endsWith(".v1")
                ? type.substring(prefix.length(), type.length() - 3) : "unknown";
    }

    private void merge(LineageRecord row, Invoked fact) {
        InvocationEvent e = fact.event();
        short rank = rank(fact.type());
        boolean leads = row.status == null || rank >= row.statusRank;
        if (leads) {
            row.status = e.status() != null ? e.status() : statusOf(fact.type());
            row.statusRank = rank;
        }
        Merge m = new Merge(leads);
        if (e.externalUser() != null) {
            row.externalUserId = m.take(row.externalUserId, e.externalUser().id());
            row.externalUserEmail = m.take(row.externalUserEmail, e.externalUser().email());
            row.externalUserName = m.take(row.externalUserName, e.externalUser().name());
            row.externalUserRole = m.take(row.externalUserRole, e.externalUser().role());
        }
        if (e.externalSystem() != null) {
            row.externalSystem = m.take(row.externalSystem, e.externalSystem().system());
            row.externalSessionId = m.take(row.externalSessionId, e.externalSystem().sessionId());
            row.externalTraceId = m.take(row.externalTraceId, e.externalSystem().traceId());
            row.externalContext = m.take(row.externalContext, e.externalSystem().context());
        }
        if (e.kaizenAuth() != null) {
            row.authMethod = m.take(row.authMethod, e.kaizenAuth().method());
            row.authSubject = m.take(row.authSubject, e.kaizenAuth().subject());
            row.apiKeyId = m.take(row.apiKeyId, e.kaizenAuth().apiKeyId());
            row.apiKeyPrefix = m.take(row.apiKeyPrefix, e.kaizenAuth().apiKeyPrefix());
            row.teamId = m.take(row.teamId, e.kaizenAuth().teamId());
        }
        row.externalAgentId = m.take(row.externalAgentId, e.agent().id());
        row.externalAgentName = m.take(row.externalAgentName, e.agent().name());
        row.externalAgentPlatform = m.take(row.externalAgentPlatform, e.agent().platform());
        row.externalAgentEndpoint = m.take(row.externalAgentEndpoint, e.agent().endpoint());
        row.externalAgentVersion = m.take(row.externalAgentVersion, e.agent().version());
        if (e.trace() != null) {
            row.traceId = m.take(row.traceId, e.trace().traceId());
            row.spanId = m.take(row.spanId, e.trace().spanId());
            row.parentTraceId = m.take(row.parentTraceId, e.trace().parentTraceId());
        }
        if (e.request() != null) {
            row.ipAddress = m.take(row.ipAddress, e.request().ipAddress());
            row.userAgent = m.take(row.userAgent, e.request().userAgent());
            if (e.request().requestedAt() != null) {
                // one invocation has one request time, whichever event tells it
                row.requestTimestamp = micros(e.request().requestedAt());
            }
            row.requestHeaders = m.take(row.requestHeaders,
                    BatchRows.json(mapper, CredentialHeaders.strip(e.request().headers())));
        }
        // the request time orders every list; an event without one is placed at its own time
        if (row.requestTimestamp == null) {
            row.requestTimestamp = micros(fact.time());
        }
        if (e.governance() != null) {
            InvocationEvent.Governance g = e.governance();
            row.decision = m.take(row.decision, g.decision());
            row.decisionId = m.take(row.decisionId, g.decisionId());
            row.governanceReason = m.take(row.governanceReason, g.reason());
            row.matchedPolicyId = m.take(row.matchedPolicyId, g.matchedPolicyId());
            row.budgetRemainingBefore = m.take(row.budgetRemainingBefore, g.budgetRemainingBefore());
            row.budgetRemainingAfter = m.take(row.budgetRemainingAfter, g.budgetRemainingAfter());
            row.rateLimitRemaining = m.take(row.rateLimitRemaining, g.rateLimitRemaining());
            row.approvalId = m.take(row.approvalId, g.approvalId());
            row.approvalStatus = ranked(row.approvalStatus, g.approvalStatus(), LineageService::approvalRank);
        }
        if (e.result() != null) {
            InvocationEvent.Result r = e.result();
            row.responseTimestamp = m.take(row.responseTimestamp, micros(r.completedAt()));
            row.durationMs = m.take(row.durationMs, r.durationMs());
            row.costUsd = m.take(row.costUsd, r.costUsd());
            row.responseStatusCode = m.take(row.responseStatusCode, r.responseStatusCode());
            row.errorCode = m.take(row.errorCode, r.errorCode());
            row.errorMessage = m.take(row.errorMessage, r.errorMessage());
            row.inputTokens = m.take(row.inputTokens, r.inputTokens());
            row.outputTokens = m.take(row.outputTokens, r.outputTokens());
            row.deliveryStatus = ranked(row.deliveryStatus, r.deliveryStatus(), LineageService::deliveryRank);
        }
    }

    /**
     * A governance decision about the invocation: it fills what the invocation's events did not say (they carry the
     * decision too, and lead). The decision's own fields only when it is the decision the row names, or the row names
     * none yet (a held call that was approved is decided twice); the budget around the call as {@link BudgetRemaining}
     * reads it.
     */
    private static void merge(LineageRecord row, GovernanceDecisionEvent d) {
        Merge fill = new Merge(false);
        if (row.decisionId != null && !row.decisionId.equals(d.decisionId())) {
            return;
        }
        row.decisionId = fill.take(row.decisionId, d.decisionId());
        row.decision = fill.take(row.decision, d.outcome());
        row.governanceReason = fill.take(row.governanceReason, d.reason());
        row.matchedPolicyId = fill.take(row.matchedPolicyId, d.policyId());
        if (d.rateLimit() != null) {
            row.rateLimitRemaining = fill.take(row.rateLimitRemaining, d.rateLimit().remaining());
        }
        BudgetRemaining budget = BudgetRemaining.of(d.budget(), d.reservationId());
        if (budget != null) {
            row.budgetRemainingBefore = fill.take(row.budgetRemainingBefore, budget.before());
            row.budgetRemainingAfter = fill.take(row.budgetRemainingAfter, budget.after());
        }
    }

    /**
     * A step of the invocation's approval request: its id, its status when further along than the row's, and its
     * deciders added to those the row holds (each step lists everyone so far, so any order ends with all of them).
     * A decider erased before the step occurred is kept as {@code [REDACTED]}.
     */
    private void merge(LineageRecord row, Approval approval, ErasedPeople.Found found) {
        ApprovalEvent a = approval.event();
        row.approvalId = new Merge(false).take(row.approvalId, a.approvalRequestId());
        row.approvalStatus = ranked(row.approvalStatus, a.status(), LineageService::approvalRank);
        List<String> deciders = approval.deciders();
        if (deciders.isEmpty()) {
            return;
        }
        TreeSet<String> all = new TreeSet<>(readList(row.approvalDeciders));
        for (String decider : deciders) {
            ErasedPeople.Erasure erasure = found.of(a.organizationId(),
                    List.of(personal.pseudonym(a.organizationId(), decider)));
            all.add(erasure != null && !approval.time().isAfter(erasure.erasedAt()) ? LineageErasure.REDACTED : decider);
        }
        row.approvalDeciders = BatchRows.json(mapper, List.copyOf(all));
    }

    /** How the delivery of the answer to the caller's {@code callback_url} ended. */
    private static void merge(LineageRecord row, DeliveryEvent d) {
        row.deliveryStatus = ranked(row.deliveryStatus, d.status(), LineageService::deliveryRank);
    }

    /** The incoming status when at least as far along as the current one; equal ranks: the later arrival. */
    private static String ranked(String current, String incoming, ToIntFunction<String> rank) {
        if (incoming == null) {
            return current;
        }
        return current == null || rank.applyAsInt(incoming) >= rank.applyAsInt(current) ? incoming : current;
    }

    /** pending 1, escalated (still pending, asked of more people) 2, approved, rejected or expired 3. */
    static int approvalRank(String status) {
        return switch (status) {
            case "approved", "rejected", "expired" -> 3;
            case "escalated" -> 2;
            default -> 1;
        };
    }

    /** pending 1, failed or exhausted 2 (a replay may still deliver it), delivered 3 (never sent again). */
    static int deliveryRank(String status) {
        return switch (status) {
            case "delivered" -> 3;
            case "failed", "exhausted" -> 2;
            default -> 1;
        };
    }

    private List<String> readList(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            return mapper.readValue(json, STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("approval_deciders holds a JSON array of strings", e);
        }
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    /** How one event's value meets the row's: the leading event's value wins, a late earlier one only fills gaps. */
    private record Merge(boolean leads) {
        <V> V take(V current, V incoming) {
            if (incoming == null) {
                return current;
            }
            return leads || current == null ? incoming : current;
        }
    }

    private static Instant micros(Instant time) {
        return time == null ? null : time.truncatedTo(ChronoUnit.MICROS);
    }


    @WithSession
    public Uni<LineageRecord> get(String invocationId, String organizationId) {
        // by its key alone, then the organisation (developer guide: "An organisation's row by its id")
        return LineageRecord.<LineageRecord>findById(invocationId)
                .map(row -> row != null && row.organizationId.equals(organizationId) ? row : null)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Lineage record " + invocationId + " not found"));
    }

    /** A page of rows, by offset or after a cursor, with the number of rows the filters match. */
    @WithSession
    public Uni<Slice> find(Query query, LineageCursor after, int offset, int limit) {
        Parameters params = new Parameters();
        String where = where(query, after, params);
        var found = LineageRecord.<LineageRecord>find(where, ORDER, params);
        return found.range(offset, offset + limit - 1).list()
                .chain(items -> LineageRecord.count(where(query, null, new Parameters()), countParams(query))
                        .map(total -> new Slice(items, total)));
    }

    /**
     * Every row the filters match, newest first, in pages of {@link #EXPORT_PAGE}. One read-only transaction holds a
     * server-side cursor ({@code RowStream}) that fetches {@link #EXPORT_FETCH} rows per round trip and only as the
     * pages are taken: an export of any size holds a page or two, reads one consistent snapshot, and maps each row
     * straight from the result (no managed entity, no session). The connection goes back to the pool when the export
     * completes, fails, or its client goes away.
     */
    public Multi<List<LineageRecord>> pages(Query query) {
        List<Object> params = new ArrayList<>();
        String sql = "select " + EXPORT_COLUMNS + " from lineage_record where " + exportWhere(query, params)
                + " order by request_timestamp desc, invocation_id desc";
        return Multi.createFrom().resourceFromUni(
                        () -> pool.getConnection().chain(connection -> connection.begin()
                                .map(tx -> new Cursor(connection, tx))
                                .onFailure().call(connection::close)),
                        cursor -> cursor.connection.prepare(sql).onItem().transformToMulti(statement -> {
                            cursor.statement = statement;
                            return statement.createStream(EXPORT_FETCH, Tuple.from(params)).toMulti();
                        }))
                .withFinalizer(Cursor::close)
                .map(LineageService::exported)
                .group().intoLists().of(EXPORT_PAGE)
                .invoke(rows -> exportRows.increment(rows.size()));
    }

    /** The export's connection, its read-only transaction and statement; closing it ends all three, whatever happened. */
    private static final class Cursor {
        final SqlConnection connection;
        final Transaction tx;
        volatile PreparedStatement statement;

        Cursor(SqlConnection connection, Transaction tx) {
            this.connection = connection;
            this.tx = tx;
        }

        Uni<Void> close() {
            Uni<Void> closed = statement == null ? Uni.createFrom().voidItem() : statement.close();
            return closed.onFailure().recoverWithNull()
                    .chain(() -> tx.rollback()).onFailure().recoverWithNull()
                    .eventually(connection::close);
        }
    }

    /** Rows per cursor round trip of an export. */
    static final int EXPORT_FETCH = 1000;

    private static final String EXPORT_COLUMNS = "invocation_id, organization_id, status, external_user_id,"
            + " external_user_email, external_user_name, external_user_role, external_system, external_session_id,"
            + " external_trace_id, external_context, auth_method, auth_subject, api_key_id, api_key_prefix, team_id,"
            + " external_agent_id, external_agent_name, external_agent_platform, external_agent_endpoint,"
            + " external_agent_version, trace_id, span_id, parent_trace_id, ip_address, user_agent, request_headers,"
            + " request_timestamp, response_timestamp, duration_ms, cost_usd, input_tokens, output_tokens,"
            + " response_status_code, error_code, error_message, decision, decision_id, governance_reason,"
            + " matched_policy_id, budget_remaining_before, budget_remaining_after, rate_limit_remaining, approval_id,"
            + " approval_status, approval_deciders, delivery_status, status_rank, created_at, updated_at";

    /** The filters of {@link #where} in SQL, their values appended to {@code params} ($1, $2 …). */
    private static String exportWhere(Query query, List<Object> params) {
        params.add(query.organizationId());
        StringBuilder where = new StringBuilder("organization_id = $1");
        sqlCondition(where, params, "external_user_id", query.externalUserId());
        sqlCondition(where, params, "lower(external_user_email)",
                query.externalUserEmail() == null ? null : query.externalUserEmail().toLowerCase(Locale.ROOT));
        sqlCondition(where, params, "external_system", query.externalSystem());
        sqlCondition(where, params, "external_agent_id", query.externalAgentId());
        sqlCondition(where, params, "status", query.status());
        if (query.from() != null) {
            params.add(query.from().atOffset(ZoneOffset.UTC));
            where.append(" and request_timestamp >= $").append(params.size());
        }
        if (query.to() != null) {
            params.add(query.to().atOffset(ZoneOffset.UTC));
            where.append(" and request_timestamp < $").append(params.size());
        }
        return where.toString();
    }

    private static void sqlCondition(StringBuilder where, List<Object> params, String column, String value) {
        if (value != null) {
            params.add(value);
            where.append(" and ").append(column).append(" = $").append(params.size());
        }
    }

    /**
     * The position of each column of {@link #EXPORT_COLUMNS} in an export's rows. A row looks a name up by comparing
     * it with every column's name in turn, which for fifty columns was a quarter of an export's time.
     */
    private static final Map<String, Integer> EXPORT_POSITIONS = positions(EXPORT_COLUMNS);

    private static Map<String, Integer> positions(String columns) {
        String[] names = columns.split(", ");
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            // interned: a lookup by a literal then finds its key by identity, without comparing the characters
            positions.put(names[i].intern(), i);
        }
        return Map.copyOf(positions);
    }

    private static int at(String column) {
        Integer position = EXPORT_POSITIONS.get(column);
        if (position == null) {
            throw new IllegalStateException("the export selects no column " + column);
        }
        return position;
    }

    /** A row of the export as the entity holds it, read by column name; not managed by any session. */
    private static LineageRecord exported(Row row) {
        LineageRecord r = new LineageRecord();
        r.invocationId = row.getString(at("invocation_id"));
        r.organizationId = row.getString(at("organization_id"));
        r.status = row.getString(at("status"));
        r.externalUserId = row.getString(at("external_user_id"));
        r.externalUserEmail = row.getString(at("external_user_email"));
        r.externalUserName = row.getString(at("external_user_name"));
        r.externalUserRole = row.getString(at("external_user_role"));
        r.externalSystem = row.getString(at("external_system"));
        r.externalSessionId = row.getString(at("external_session_id"));
        r.externalTraceId = row.getString(at("external_trace_id"));
        r.externalContext = row.getString(at("external_context"));
        r.authMethod = row.getString(at("auth_method"));
        r.authSubject = row.getString(at("auth_subject"));
        r.apiKeyId = row.getString(at("api_key_id"));
        r.apiKeyPrefix = row.getString(at("api_key_prefix"));
        r.teamId = row.getString(at("team_id"));
        r.externalAgentId = row.getString(at("external_agent_id"));
        r.externalAgentName = row.getString(at("external_agent_name"));
        r.externalAgentPlatform = row.getString(at("external_agent_platform"));
        r.externalAgentEndpoint = row.getString(at("external_agent_endpoint"));
        r.externalAgentVersion = row.getString(at("external_agent_version"));
        r.traceId = row.getString(at("trace_id"));
        r.spanId = row.getString(at("span_id"));
        r.parentTraceId = row.getString(at("parent_trace_id"));
        r.ipAddress = row.getString(at("ip_address"));
        r.userAgent = row.getString(at("user_agent"));
        r.requestHeaders = row.getString(at("request_headers"));
        r.requestTimestamp = instant(row, "request_timestamp");
        r.responseTimestamp = instant(row, "response_timestamp");
        r.durationMs = row.getLong(at("duration_ms"));
        r.costUsd = row.getBigDecimal(at("cost_usd"));
        r.inputTokens = row.getLong(at("input_tokens"));
        r.outputTokens = row.getLong(at("output_tokens"));
        r.responseStatusCode = row.getInteger(at("response_status_code"));
        r.errorCode = row.getString(at("error_code"));
        r.errorMessage = row.getString(at("error_message"));
        r.decision = row.getString(at("decision"));
        r.decisionId = row.getString(at("decision_id"));
        r.governanceReason = row.getString(at("governance_reason"));
        r.matchedPolicyId = row.getString(at("matched_policy_id"));
        r.budgetRemainingBefore = row.getBigDecimal(at("budget_remaining_before"));
        r.budgetRemainingAfter = row.getBigDecimal(at("budget_remaining_after"));
        r.rateLimitRemaining = row.getLong(at("rate_limit_remaining"));
        r.approvalId = row.getString(at("approval_id"));
        r.approvalStatus = row.getString(at("approval_status"));
        r.approvalDeciders = row.getString(at("approval_deciders"));
        r.deliveryStatus = row.getString(at("delivery_status"));
        r.statusRank = row.getShort(at("status_rank"));
        r.createdAt = instant(row, "created_at");
        r.updatedAt = instant(row, "updated_at");
        return r;
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime time = row.getOffsetDateTime(at(column));
        return time == null ? null : time.toInstant();
    }

    private static final Sort ORDER = Sort.by("requestTimestamp", Sort.Direction.Descending)
            .and("invocationId", Sort.Direction.Descending);

    private static Parameters countParams(Query query) {
        Parameters params = new Parameters();
        where(query, null, params);
        return params;
    }

    private static String where(Query query, LineageCursor after, Parameters params) {
        StringBuilder where = new StringBuilder("organizationId = :org");
        params.and("org", query.organizationId());
        condition(where, params, "externalUserId = :userId", "userId", query.externalUserId());
        condition(where, params, "lower(externalUserEmail) = :email", "email",
                query.externalUserEmail() == null ? null : query.externalUserEmail().toLowerCase(Locale.ROOT));
        condition(where, params, "externalSystem = :system", "system", query.externalSystem());
        condition(where, params, "externalAgentId = :agentId", "agentId", query.externalAgentId());
        condition(where, params, "status = :status", "status", query.status());
        condition(where, params, "requestTimestamp >= :from", "from", query.from());
        condition(where, params, "requestTimestamp < :to", "to", query.to());
        if (after != null) {
            where.append(" and (requestTimestamp < :afterTime"
                    + " or (requestTimestamp = :afterTime and invocationId < :afterId))");
            params.and("afterTime", after.requestTimestamp()).and("afterId", after.invocationId());
        }
        return where.toString();
    }

    private static void condition(StringBuilder where, Parameters params, String clause, String name, Object value) {
        if (value != null) {
            where.append(" and ").append(clause);
            params.and(name, value);
        }
    }
}
