package io.kaizen.lineage.service;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.persistence.JsonIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A person's rights over what lineage holds on them, within one organisation: access (a summary of their rows and
 * of the audit records still holding their personal data) and erasure (every personal field of their lineage rows,
 * request headers and context included, their entries among any row's approval deciders, and their personal data in
 * the audit log), itself audited.
 * <p>
 * A person is their address plus the external user ids their rows carry, so rows that name only the id go too.
 */
@ApplicationScoped
public class LineageErasure {

    /** The audit record of an erasure: held only in the audit chain, never on a topic of its own. */
    public static final String ERASED = "kaizen.lineage.user_erased.v1";
    static final String REDACTED = "[REDACTED]";

    private static final String PERSON = "organization_id = :org and (lower(external_user_email) = :email"
            + " or external_user_id in (select external_user_id from lineage_record where organization_id = :org"
            + "   and lower(external_user_email) = :email and external_user_id is not null))";
    private static final String SUMMARY = "select count(*), coalesce(sum(cost_usd), 0), min(request_timestamp),"
            + " max(request_timestamp) from lineage_record where " + PERSON;
    private static final String INVOCATIONS = "select invocation_id, request_timestamp, external_agent_id, status,"
            + " duration_ms, cost_usd from lineage_record where " + PERSON
            + " order by request_timestamp desc, invocation_id desc limit 1000";
    private static final String PERSON_IDS = "select distinct external_user_id from lineage_record where " + PERSON
            + " and external_user_id is not null";
    private static final String ERASE = "update lineage_record set external_user_email = '" + REDACTED + "',"
            + " external_user_name = case when external_user_name is null then null else '" + REDACTED + "' end,"
            + " external_user_id = :pseudonymousId, external_user_role = null, external_session_id = null,"
            + " external_context = null, ip_address = null, user_agent = null, request_headers = null,"
            + " updated_at = :now where " + PERSON;

    /** The person's address or one of their external user ids, among a row's approval deciders. */
    private static final String IS_PERSON = "lower(%1$s) = :email"
            + " or %1$s in " + JsonIds.in("ids");
    /** Wherever the person decided an approval, in any row of the organisation, they become [REDACTED]. */
    private static final String ERASE_DECIDERS = "update lineage_record r set approval_deciders ="
            + " (select '[' || string_agg(cast(to_json(s.v) as text), ',' order by s.v collate \"C\") || ']'"
            // written as lineage writes it: compact, sorted by code point
            + " from (select distinct case when "
            + IS_PERSON.formatted("d.v") + " then '" + REDACTED + "' else d.v end as v"
            + "   from json_array_elements_text(cast(r.approval_deciders as json)) as d(v)) s),"
            + " updated_at = :now where r.organization_id = :org and r.approval_deciders is not null and exists"
            + " (select 1 from json_array_elements_text(cast(r.approval_deciders as json)) as e(v) where "
            + IS_PERSON.formatted("e.v") + ")";

    private static final SecureRandom RANDOM = new SecureRandom();

    public record Invocation(String invocationId, Instant requestTimestamp, String externalAgentId, String status,
            Long durationMs, BigDecimal costUsd) {
    }

    public record Summary(long invocationCount, BigDecimal totalCostUsd, Instant firstSeen, Instant lastSeen,
            List<Invocation> invocations, long auditRecordsHeld) {
    }

    private final AuditLog audit;
    private final PersonalFields personal;
    private final ErasedPeople erased;
    private final ObjectMapper mapper;

    LineageErasure(AuditLog audit, PersonalFields personal, ErasedPeople erased, ObjectMapper mapper) {
        this.audit = audit;
        this.personal = personal;
        this.erased = erased;
        this.mapper = mapper;
    }

    @WithSession
    public Uni<Summary> summary(String organizationId, String email) {
        String address = email.toLowerCase(Locale.ROOT);
        return Panache.getSession().chain(session -> session.createNativeQuery(SUMMARY, Object[].class)
                .setParameter("org", organizationId).setParameter("email", address).getSingleResult()
                .chain(totals -> session.createNativeQuery(INVOCATIONS, Object[].class)
                        .setParameter("org", organizationId).setParameter("email", address).getResultList()
                        .chain(rows -> audit.held(organizationId, email).map(held -> new Summary(
                                ((Number) totals[0]).longValue(), (BigDecimal) totals[1], instant(totals[2]),
                                instant(totals[3]), rows.stream().map(LineageErasure::invocation).toList(), held)))));
    }

    /**
     * Erases the person's personal data from lineage and audit in one transaction and appends the erasure to the
     * audit chain: who asked, how many rows and records, and the person only as their pseudonym. The person's
     * address and ids are marked erased ({@link ErasedPeople}), so events of their past arriving later bring nothing
     * back; lineage and audit writers of the organisation wait meanwhile. Answers the number of lineage rows erased.
     */
    @WithTransaction
    public Uni<Integer> erase(String organizationId, String email, String requestedBy) {
        String address = email.toLowerCase(Locale.ROOT);
        String pseudonymousId = "[REDACTED-" + HexFormat.of().formatHex(bytes(4)) + "]";
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return erased.exclude(organizationId)
                .chain(() -> Panache.getSession())
                .chain(session -> session.createNativeQuery(PERSON_IDS, String.class)
                        .setParameter("org", organizationId).setParameter("email", address).getResultList()
                        .chain(ids -> audit.personIds(organizationId, email).chain(auditIds -> {
                            Set<String> pseudonyms = new LinkedHashSet<>(auditIds);
                            pseudonyms.add(personal.pseudonym(organizationId, email));
                            ids.forEach(id -> pseudonyms.add(personal.pseudonym(organizationId, id)));
                            return erased.mark(organizationId, pseudonyms, pseudonymousId, now);
                        })
                        // the deciders first: the person's ids are read from rows the next statement redacts
                        .chain(() -> session.createNativeQuery(ERASE_DECIDERS)
                                .setParameter("org", organizationId).setParameter("email", address)
                                .setParameter("ids", JsonIds.json(ids)).setParameter("now", now)
                                .executeUpdate()))
                        .chain(() -> session.createNativeQuery(ERASE)
                                .setParameter("org", organizationId).setParameter("email", address)
                                .setParameter("pseudonymousId", pseudonymousId).setParameter("now", now)
                                .executeUpdate()))
                .chain(rows -> audit.erase(organizationId, email)
                        .chain(records -> audit.append(List.of(new CloudEvent(PrefixedId.next(PrefixedId.EVENT),
                                "/kaizen/lineage-service", ERASED, personal.pseudonym(organizationId, email),
                                organizationId, now, BatchRows.json(mapper, new Erased(
                                        personal.pseudonym(organizationId, email), requestedBy, rows, records))))))
                        .replaceWith(rows))
                .invoke(personal::forgetValues);
    }

    /** The data of an erasure's audit record: the person as their pseudonym, never their address. */
    record Erased(String userPseudonym, String requestedBy, int lineageRowsErased, long auditRecordsErased) {
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Invocation invocation(Object[] row) {
        return new Invocation((String) row[0], instant(row[1]), (String) row[2], (String) row[3],
                row[4] == null ? null : ((Number) row[4]).longValue(), (BigDecimal) row[5]);
    }

    static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("a timestamptz column reads as a time, not " + value.getClass());
    }
}
