package io.kaizen.lineage.service;

import java.util.concurrent.atomic.AtomicReference;

import io.kaizen.common.reactive.InOrder;
import io.kaizen.lineage.config.AuditConfig;
import io.kaizen.lineage.domain.AuditChain;
import io.kaizen.lineage.domain.AuditEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Recomputes an organisation's audit chain from its first record to its head, a page at a time, holding only the
 * previous record's seq and hash: a changed field, hash or prev_hash, a removed or inserted record, or records cut
 * off behind the head, each shows as the first seq that does not verify.
 */
@ApplicationScoped
public class AuditVerifier {

    /** {@code firstBrokenSeq} is null when the chain is valid. */
    public record Verification(boolean valid, long recordsChecked, Long firstBrokenSeq) {
    }

    /** How far the walk got: the last verified record, how many it checked, and the seq that broke, if one did. */
    private record Walk(long seq, String hash, long checked, Long brokenAt) {

        Walk next(AuditEvent record) {
            return new Walk(record.seq, record.hash, checked + 1, null);
        }

        Walk broken(long seq) {
            return new Walk(this.seq, hash, checked + 1, seq);
        }

        Verification verification() {
            return new Verification(brokenAt == null, checked, brokenAt);
        }
    }

    private final int pageSize;

    AuditVerifier(AuditConfig config) {
        this.pageSize = config.verifyPageSize();
    }

    /** One snapshot for the whole walk, so records appended meanwhile are neither half seen nor taken for a break. */
    @WithTransaction
    public Uni<Verification> verify(String organizationId) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery("set transaction isolation level repeatable read, read only")
                        .executeUpdate())
                .chain(() -> walk(organizationId, new Walk(0, AuditChain.GENESIS, 0, null)))
                .chain(walk -> walk.brokenAt() != null ? Uni.createFrom().item(walk) : head(organizationId, walk))
                .map(Walk::verification);
    }

    /** Verifies page after page, up to the first record that does not verify. */
    private Uni<Walk> walk(String org, Walk from) {
        AtomicReference<Walk> walked = new AtomicReference<>(from);
        return InOrder.whileMore(() -> AuditEvent.<AuditEvent>find("organizationId = :org and seq > :seq",
                        Sort.by("seq"), Parameters.with("org", org).and("seq", walked.get().seq()))
                .range(0, pageSize - 1).list()
                // the records are read, not changed: the session need not keep them, so memory stays one page
                .call(page -> Panache.getSession().invoke(session -> session.clear()))
                .map(page -> {
                    Walk walk = walked.get();
                    for (AuditEvent record : page) {
                        long expected = walk.seq() + 1;
                        if (record.seq != expected || !walk.hash().equals(record.prevHash)
                                || !AuditChain.hash(AuditChain.Link.of(record)).equals(record.hash)) {
                            walked.set(walk.broken(expected));
                            return false;
                        }
                        walk = walk.next(record);
                    }
                    walked.set(walk);
                    return page.size() == pageSize;
                }))
                .map(ignored -> walked.get());
    }

    /**
     * The records must end where the head says the chain ends, with its hash: records cut off behind the head show
     * as the first missing seq, records added beyond it as the first seq past it.
     */
    private Uni<Walk> head(String org, Walk end) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("select seq, hash from audit_chain_head where organization_id = :org", Object[].class)
                .setParameter("org", org)
                .getResultList())
                .map(heads -> {
                    long headSeq = heads.isEmpty() ? 0 : ((Number) heads.get(0)[0]).longValue();
                    String headHash = heads.isEmpty() ? AuditChain.GENESIS : (String) heads.get(0)[1];
                    if (headSeq > end.seq()) {
                        return new Walk(end.seq(), end.hash(), end.checked(), end.seq() + 1);
                    }
                    if (headSeq < end.seq()) {
                        return new Walk(end.seq(), end.hash(), end.checked(), headSeq + 1);
                    }
                    return headHash.equals(end.hash()) ? end : new Walk(end.seq(), end.hash(), end.checked(), headSeq);
                });
    }
}
