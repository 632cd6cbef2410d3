package io.kaizen.lineage.service;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.lineage.domain.AuditChain;
import io.kaizen.lineage.domain.AuditEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The audit log: every event of the suite, chained per organisation ({@link AuditChain}), its personal data held
 * apart ({@link PersonalFields}), each record published to {@code kaizen.audit.v1} from its own row
 * ({@code messaging.AuditPublisher}).
 */
@ApplicationScoped
public class AuditLog {

    /** The chain of events that carry no organisation. */
    public static final String NO_ORGANIZATION = "system";

    /**
     * Locks the organisation's head (creating it at seq 0) until the transaction ends and answers it: appenders of
     * one organisation take turns, so no two records get one seq.
     */
    private static final String LOCK_HEAD = "with head as (insert into audit_chain_head (organization_id, seq, hash)"
            + " values (:org, 0, :genesis) on conflict (organization_id) do update set seq = audit_chain_head.seq"
            + " returning seq, hash),"
            // a new chain starts its publication mark too (messaging.AuditPublisher)
            + " publication as (insert into audit_publication (organization_id, seq) values (:org, 0)"
            + " on conflict (organization_id) do nothing)"
            + " select seq, hash from head";
    /** Which of the events (ids as one JSON array text) a record already holds: a redelivery is not chained twice. */
    private static final String RECORDED = "select event_id from audit_event where event_id in " + JsonIds.in("ids");
    /** The records of a batch in one statement ({@link BatchRows}). */
    private static final String INSERT = "insert into audit_event (organization_id, seq, event_id, type, source, subject,"
            + " agent_id, occurred_at, recorded_at, data, prev_hash, hash)"
            + " select organization_id, seq, event_id, type, source, subject, agent_id, occurred_at, recorded_at, data,"
            + " prev_hash, hash from " + BatchRows.RECORDS + " as r(organization_id text,"
            + " seq bigint, event_id text, type text, source text, subject text, agent_id text,"
            + " occurred_at timestamptz, recorded_at timestamptz, data text, prev_hash text, hash text)";
    private static final String MOVE_HEAD = "update audit_chain_head set seq = :seq, hash = :hash"
            + " where organization_id = :org";
    /** The personal data the records hold apart, in one statement ({@link BatchRows}). */
    private static final String HOLD = "insert into audit_personal_data (organization_id, seq, field, pseudonym, value)"
            + " select organization_id, seq, field, pseudonym, value from " + BatchRows.RECORDS
            + " as r(organization_id text, seq bigint, field text, pseudonym text, value text)";
    /**
     * Deletes the personal data of every record that holds the address in any personal field, and of every record
     * that names one of the person ids those records hold (a decision event carries the external user id, not the
     * address). Pseudonyms do not depend on the field, so one lookup finds the address wherever it is.
     */
    private static final String ERASE = "with named as (select seq from audit_personal_data"
            + "   where organization_id = :org and pseudonym = :pseudonym),"
            + " ids as (select d.pseudonym from audit_personal_data d join named n on d.seq = n.seq"
            + "   where d.organization_id = :org and d.field in (:idFields)),"
            + " linked as (select seq from audit_personal_data where organization_id = :org"
            + "   and field in (:idFields) and pseudonym in (select pseudonym from ids)),"
            + " erased as (delete from audit_personal_data where organization_id = :org"
            + "   and (seq in (select seq from named) or seq in (select seq from linked)) returning seq)"
            + " select count(distinct seq) from erased";
    private static final String HELD = "select seq, field, pseudonym, value from audit_personal_data"
            + " where organization_id = :org and seq in (:seqs) order by seq, field";

    private static final String PERSON_IDS = "select distinct d.pseudonym from audit_personal_data d"
            + " where d.organization_id = :org and d.field in (:idFields) and d.seq in"
            + "   (select seq from audit_personal_data where organization_id = :org and pseudonym = :pseudonym)";

    private final PersonalFields personal;
    private final ErasedPeople erased;
    private final ObjectMapper mapper;

    AuditLog(PersonalFields personal, ErasedPeople erased, ObjectMapper mapper) {
        this.personal = personal;
        this.erased = erased;
        this.mapper = mapper;
    }

    /**
     * Chains events to their organisations' logs, in order; runs inside the consumer's transaction, which writes the
     * records, their personal data and their heads together. Organisations are locked in name order, so two
     * appenders never wait on each other in a cycle. Erasures of these organisations are kept out until the
     * transaction ends ({@link ErasedPeople}), and a record of an erased person's past holds no personal data. An
     * event a record already holds (a redelivery, a replay) is skipped: it is looked up after the head is locked, so
     * no other appender can be chaining it meanwhile, and records are never purged, so this holds for ever.
     */
    public Uni<Void> append(List<CloudEvent> events) {
        Map<String, List<CloudEvent>> byOrganization = new TreeMap<>();
        for (CloudEvent event : events) {
            String org = event.organizationId() == null ? NO_ORGANIZATION : event.organizationId();
            byOrganization.computeIfAbsent(org, ignored -> new ArrayList<>()).add(event);
        }
        // pseudonyms and the data as chained do not depend on the chain: made before any lock is taken, so the head
        // of a busy organisation is held for the numbering, hashing and writing only
        Map<String, PersonalFields.Separated> separated = new HashMap<>();
        byOrganization.forEach((org, ofOrg) -> ofOrg.forEach(
                event -> separated.put(event.id(), personal.separate(org, event.data()))));
        Instant recordedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return erased.share(byOrganization.keySet()).chain(() -> InOrder.each(byOrganization.entrySet(),
                chain -> append(chain.getKey(), chain.getValue(), separated, recordedAt)));
    }

    private Uni<Void> append(String org, List<CloudEvent> events, Map<String, PersonalFields.Separated> separated,
            Instant recordedAt) {
        return Panache.getSession().chain(session -> session.createNativeQuery(LOCK_HEAD, Object[].class)
                .setParameter("org", org)
                .setParameter("genesis", AuditChain.GENESIS)
                .getSingleResult()
                .chain(head -> session.createNativeQuery(RECORDED, String.class)
                        .setParameter("ids", JsonIds.json(events.stream().map(CloudEvent::id).toList()))
                        .getResultList()
                        .chain(recorded -> {
                            Set<String> known = new HashSet<>(recorded);
                            List<CloudEvent> fresh = events.stream().filter(e -> !known.contains(e.id())).toList();
                            return fresh.isEmpty() ? Uni.createFrom().voidItem()
                                    : append(session, org, fresh, separated, recordedAt,
                                            ((Number) head[0]).longValue(),
                                            (String) head[1]);
                        })));
    }

    /** Chains events no record holds yet after the locked head ({@code seq}, {@code prevHash}) and moves it. */
    private Uni<Void> append(Mutiny.Session session, String org, List<CloudEvent> events,
            Map<String, PersonalFields.Separated> separated, Instant recordedAt, long seq, String prevHash) {
        List<AuditEvent> records = new ArrayList<>();
        List<Map<String, Object>> held = new ArrayList<>();
        Map<Long, Instant> personalTimes = new HashMap<>();
        for (CloudEvent event : events) {
            AuditEvent record = link(org, ++seq, event, separated.get(event.id()), recordedAt, prevHash, held,
                    personalTimes);
            records.add(record);
            prevHash = record.hash;
        }
        AuditEvent last = records.get(records.size() - 1);
        Uni<Void> written = session.createNativeQuery(INSERT)
                .setParameter("rows", BatchRows.utf8(mapper, records.stream().map(AuditLog::row).toList()))
                .executeUpdate()
                .chain(() -> session.createNativeQuery(MOVE_HEAD)
                        .setParameter("seq", last.seq)
                        .setParameter("hash", last.hash)
                        .setParameter("org", org)
                        .executeUpdate())
                .replaceWithVoid();
        if (!held.isEmpty()) {
            written = written.chain(() -> withoutErasedPeople(org, held, personalTimes))
                    .chain(kept -> kept.isEmpty() ? Uni.createFrom().voidItem()
                            : session.createNativeQuery(HOLD)
                                    .setParameter("rows", BatchRows.utf8(mapper, kept))
                                    .executeUpdate().replaceWithVoid());
        }
        return written;
    }

    /** A record as a row of {@link #INSERT}: timestamps as the text the hash covers, which PostgreSQL reads exactly. */
    private static Map<String, Object> row(AuditEvent record) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("organization_id", record.organizationId);
        row.put("seq", record.seq);
        row.put("event_id", record.eventId);
        row.put("type", record.type);
        row.put("source", record.source);
        row.put("subject", record.subject);
        row.put("agent_id", record.agentId);
        row.put("occurred_at", record.occurredAt.toString());
        row.put("recorded_at", record.recordedAt.toString());
        row.put("data", record.data);
        row.put("prev_hash", record.prevHash);
        row.put("hash", record.hash);
        return row;
    }

    private AuditEvent link(String org, long seq, CloudEvent event, PersonalFields.Separated separated,
            Instant recordedAt, String prevHash, List<Map<String, Object>> held, Map<Long, Instant> personalTimes) {
        AuditEvent record = new AuditEvent();
        record.organizationId = org;
        record.seq = seq;
        record.eventId = event.id();
        record.type = event.type();
        record.source = event.source();
        record.subject = event.subject();
        record.agentId = agentId(event, separated.tree());
        record.occurredAt = event.time().truncatedTo(ChronoUnit.MICROS);
        record.recordedAt = recordedAt;
        record.data = separated.data();
        record.prevHash = prevHash;
        record.hash = AuditChain.hash(AuditChain.Link.of(record));
        if (!separated.held().isEmpty()) {
            personalTimes.put(seq, personalTime(separated.tree(), record.occurredAt));
        }
        for (PersonalFields.Held value : separated.held()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("organization_id", org);
            row.put("seq", seq);
            row.put("field", value.field());
            row.put("pseudonym", value.pseudonym());
            row.put("value", value.value());
            held.add(row);
        }
        return record;
    }

    /**
     * The personal values that may be held: none of a record that names an erased person and concerns their past
     * (an invocation requested, or another event that occurred, at or before the erasure).
     */
    private Uni<List<Map<String, Object>>> withoutErasedPeople(String org, List<Map<String, Object>> held,
            Map<Long, Instant> personalTimes) {
        Set<String> pseudonyms = new HashSet<>();
        held.forEach(value -> pseudonyms.add((String) value.get("pseudonym")));
        return erased.find(Map.of(org, pseudonyms)).map(found -> {
            if (found.byKey().isEmpty()) {
                return held;
            }
            Map<Long, List<String>> bySeq = new HashMap<>();
            held.forEach(value -> bySeq.computeIfAbsent((Long) value.get("seq"), ignored -> new ArrayList<>())
                    .add((String) value.get("pseudonym")));
            Set<Long> dropped = new HashSet<>();
            bySeq.forEach((seq, named) -> {
                ErasedPeople.Erasure erasure = found.of(org, named);
                if (erasure != null && !personalTimes.get(seq).isAfter(erasure.erasedAt())) {
                    dropped.add(seq);
                }
            });
            return held.stream().filter(value -> !dropped.contains((Long) value.get("seq"))).toList();
        });
    }

    /** When a record's personal data was taken: its invocation's request time when it tells one, else its time. */
    private static Instant personalTime(JsonNode data, Instant occurredAt) {
        if (data != null) {
            JsonNode requestedAt = data.path("request").path("requested_at");
            if (requestedAt.isTextual()) {
                try {
                    return Instant.parse(requestedAt.asText());
                } catch (DateTimeParseException e) {
                    // not a time: the record's own time stands
                }
            }
        }
        return occurredAt;
    }

    /**
     * The pseudonyms of the person ids (external user id, decision user id) held beside the address in the
     * organisation's log, so an erasure can mark them too.
     */
    public Uni<List<String>> personIds(String organizationId, String email) {
        return Panache.getSession().chain(session -> session.createNativeQuery(PERSON_IDS, String.class)
                .setParameter("org", organizationId)
                .setParameter("pseudonym", personal.pseudonym(organizationId, email))
                .setParameter("idFields", PersonalFields.PERSON_IDS)
                .getResultList());
    }

    /** The agent an event concerns: its data's {@code agent_id} or {@code agent.id}, or an agent event's subject. */
    private static String agentId(CloudEvent event, JsonNode data) {
        if (data != null) {
            if (data.path("agent_id").isTextual()) {
                return data.get("agent_id").asText();
            }
            if (data.path("agent").path("id").isTextual()) {
                return data.get("agent").get("id").asText();
            }
        }
        return event.type().startsWith(EventTypes.AGENT_PREFIX) ? event.subject() : null;
    }

    /**
     * Erases a person from the audit log of an organisation: the personal data of every record that holds the
     * address (in any case, in any personal field) or a person id found beside it. The chained records keep their
     * pseudonyms, so the chain still verifies. Answers how many records lost personal data.
     */
    @WithTransaction
    public Uni<Long> erase(String organizationId, String email) {
        return Panache.getSession().chain(session -> session.createNativeQuery(ERASE, Long.class)
                .setParameter("org", organizationId)
                .setParameter("pseudonym", personal.pseudonym(organizationId, email))
                .setParameter("idFields", PersonalFields.PERSON_IDS)
                .getSingleResult());
    }

    /** How many records of the organisation's log still hold personal data of the address, in any field. */
    public Uni<Long> held(String organizationId, String email) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select count(distinct seq) from audit_personal_data where organization_id = :org"
                                + " and pseudonym = :pseudonym", Long.class)
                .setParameter("org", organizationId)
                .setParameter("pseudonym", personal.pseudonym(organizationId, email))
                .getSingleResult());
    }

    /** Filters of {@link #find}; null means any. {@code afterSeq} is the keyset cursor, used instead of a page. */
    public record Query(String organizationId, String type, String agentId, String subject, Instant from, Instant to,
            Long fromSeq, Long toSeq, Long afterSeq, int offset, int limit) {
    }

    /** A personal value still held for a record. */
    public record HeldValue(String field, String pseudonym, String value) {
    }

    public record Entry(AuditEvent record, JsonNode data, List<HeldValue> personalData) {
    }

    public record Slice(List<Entry> items, long total) {
    }

    @WithSession
    public Uni<Slice> find(Query query) {
        StringBuilder where = new StringBuilder("organizationId = :org");
        Parameters params = Parameters.with("org", query.organizationId());
        condition(where, params, "type = :type", "type", query.type());
        condition(where, params, "agentId = :agentId", "agentId", query.agentId());
        condition(where, params, "subject = :subject", "subject", query.subject());
        condition(where, params, "occurredAt >= :from", "from", query.from());
        condition(where, params, "occurredAt < :to", "to", query.to());
        condition(where, params, "seq >= :fromSeq", "fromSeq", query.fromSeq());
        condition(where, params, "seq <= :toSeq", "toSeq", query.toSeq());
        condition(where, params, "seq > :afterSeq", "afterSeq", query.afterSeq());
        var found = AuditEvent.<AuditEvent>find(where.toString(), Sort.by("seq"), params);
        return found.range(query.offset(), query.offset() + query.limit() - 1).list()
                .chain(records -> held(query.organizationId(), records)
                        .map(personalData -> records.stream()
                                .map(r -> new Entry(r, r.data == null ? null : tree(r.data),
                                        personalData.getOrDefault(r.seq, List.of())))
                                .toList()))
                .chain(items -> found.count().map(total -> new Slice(items, total)));
    }

    private Uni<Map<Long, List<HeldValue>>> held(String org, List<AuditEvent> records) {
        if (records.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(HELD, Object[].class)
                .setParameter("org", org)
                .setParameter("seqs", records.stream().map(r -> r.seq).toList())
                .getResultList())
                .map(rows -> {
                    Map<Long, List<HeldValue>> bySeq = new LinkedHashMap<>();
                    for (Object[] row : rows) {
                        bySeq.computeIfAbsent(((Number) row[0]).longValue(), ignored -> new ArrayList<>())
                                .add(new HeldValue((String) row[1], (String) row[2], (String) row[3]));
                    }
                    return bySeq;
                });
    }

    private static void condition(StringBuilder where, Parameters params, String clause, String name, Object value) {
        if (value != null) {
            where.append(" and ").append(clause);
            params.and(name, value);
        }
    }

    private JsonNode tree(String data) {
        try {
            return mapper.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chained data is JSON written by the audit log", e);
        }
    }
}
