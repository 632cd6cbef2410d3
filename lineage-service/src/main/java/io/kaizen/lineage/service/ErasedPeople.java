package io.kaizen.lineage.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.persistence.JsonIds;
import io.kaizen.common.reactive.InOrder;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The people erased from each organisation, known by the keyed pseudonyms of their address and external user ids
 * ({@link PersonalFields#pseudonym}), so that an event of their past arriving after the erasure — redelivered, late or
 * replayed — is stored without their personal data in lineage and in the audit log.
 * <p>
 * An erasure and the writers of lineage and audit exclude each other per organisation through a PostgreSQL advisory
 * lock held to the end of the transaction: writers share it, an erasure takes it alone. A writer therefore either
 * commits before the erasure starts (and the erasure erases what it wrote) or reads the markers after the erasure
 * commits. Writers take it before the audit chain's head, and so does an erasure, so the two never wait in a cycle.
 */
@ApplicationScoped
public class ErasedPeople {

    /** The lock functions answer void, read as an empty text. */
    private static final String SHARE = "select cast(pg_advisory_xact_lock_shared(hashtext(:key)) as text)";
    private static final String EXCLUDE = "select cast(pg_advisory_xact_lock(hashtext(:key)) as text)";
    private static final String MARK = "insert into lineage_erasure (organization_id, pseudonym, redacted_id, erased_at)"
            + " select :org, p, :redactedId, :now from " + JsonIds.rows("pseudonyms") + " p"
            + " on conflict (organization_id, pseudonym)"
            + " do update set redacted_id = excluded.redacted_id, erased_at = excluded.erased_at";
    private static final String FIND = "select e.organization_id, e.pseudonym, e.redacted_id, e.erased_at"
            + " from lineage_erasure e join json_to_recordset(cast(cast(:keys as text) as json))"
            + "   as k(organization_id text, pseudonym text)"
            + " on e.organization_id = k.organization_id and e.pseudonym = k.pseudonym";

    /** One erased person's marker: the redacted id their rows carry and when they were erased. */
    public record Erasure(String redactedId, Instant erasedAt) {
    }

    /** The erasures found, by organisation and pseudonym. */
    public record Found(Map<String, Erasure> byKey) {

        static String key(String organizationId, String pseudonym) {
            return organizationId + '\0' + pseudonym;
        }

        /** The erasure of the first of the pseudonyms that was erased, or null. */
        public Erasure of(String organizationId, Collection<String> pseudonyms) {
            for (String pseudonym : pseudonyms) {
                Erasure erasure = byKey.get(key(organizationId, pseudonym));
                if (erasure != null) {
                    return erasure;
                }
            }
            return null;
        }
    }

    private final ObjectMapper mapper;

    ErasedPeople(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Waits while an erasure of any of these organisations runs, and keeps erasures out until the transaction ends. */
    public Uni<Void> share(Collection<String> organizationIds) {
        return InOrder.each(new TreeSet<>(organizationIds), org -> lock(SHARE, org));
    }

    /** Waits for the organisation's writers to finish, and keeps new ones out until the transaction ends. */
    public Uni<Void> exclude(String organizationId) {
        return lock(EXCLUDE, organizationId);
    }

    private Uni<Void> lock(String statement, String organizationId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(statement, String.class)
                .setParameter("key", "lineage-erasure:" + organizationId)
                .getSingleResult()).replaceWithVoid();
    }

    /** Records that the person known by these pseudonyms was erased now, their rows given {@code redactedId}. */
    public Uni<Void> mark(String organizationId, Collection<String> pseudonyms, String redactedId, Instant now) {
        return Panache.getSession().chain(session -> session.createNativeQuery(MARK)
                .setParameter("org", organizationId)
                .setParameter("pseudonyms", JsonIds.json(pseudonyms))
                .setParameter("redactedId", redactedId)
                .setParameter("now", now)
                .executeUpdate()).replaceWithVoid();
    }

    /** The erasures among these pseudonyms, by organisation. */
    public Uni<Found> find(Map<String, ? extends Collection<String>> pseudonymsByOrganization) {
        List<Map<String, String>> keys = new ArrayList<>();
        pseudonymsByOrganization.forEach((org, pseudonyms) -> pseudonyms.forEach(p -> {
            Map<String, String> key = new LinkedHashMap<>();
            key.put("organization_id", org);
            key.put("pseudonym", p);
            keys.add(key);
        }));
        if (keys.isEmpty()) {
            return Uni.createFrom().item(new Found(Map.of()));
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(FIND, Object[].class)
                .setParameter("keys", BatchRows.json(mapper, keys))
                .getResultList())
                .map(rows -> {
                    Map<String, Erasure> found = new HashMap<>();
                    for (Object[] row : rows) {
                        found.put(Found.key((String) row[0], (String) row[1]),
                                new Erasure((String) row[2], LineageErasure.instant(row[3])));
                    }
                    return new Found(found);
                });
    }
}
