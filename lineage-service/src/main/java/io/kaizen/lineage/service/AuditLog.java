package io.kaizen.lineage.service;

import java.time.Instant;
import java.util.List;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.lineage.domain.AuditEvent;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The audit log: one entry per event of the suite, scoped to its organisation. */
@ApplicationScoped
public class AuditLog {

    /** Appends events; runs inside the consumer's transaction, which writes them together. */
    public Uni<Void> append(List<CloudEvent> events) {
        Instant now = Instant.now();
        return AuditEvent.persist(events.stream().map(event -> entry(event, now)));
    }

    private static AuditEvent entry(CloudEvent event, Instant recordedAt) {
        AuditEvent entry = new AuditEvent();
        entry.eventId = event.id();
        entry.organizationId = event.organizationId();
        entry.type = event.type();
        entry.source = event.source();
        entry.subject = event.subject();
        entry.occurredAt = event.time();
        entry.recordedAt = recordedAt;
        return entry;
    }

    public record Query(String organizationId, String subject, String type, int page, int limit) {
    }

    public record Slice(List<AuditEvent> items, long total) {
    }

    @WithSession
    public Uni<Slice> find(Query query) {
        StringBuilder where = new StringBuilder("organizationId = :org");
        io.quarkus.panache.common.Parameters params = io.quarkus.panache.common.Parameters.with("org", query.organizationId());
        if (query.subject() != null) {
            where.append(" and subject = :subject");
            params.and("subject", query.subject());
        }
        if (query.type() != null) {
            where.append(" and type = :type");
            params.and("type", query.type());
        }
        var found = AuditEvent.<AuditEvent>find(where.toString(), Sort.by("occurredAt").and("eventId"), params);
        return found.page(Page.of(query.page() - 1, query.limit())).list()
                .chain(items -> found.count().map(total -> new Slice(items, total)));
    }
}
