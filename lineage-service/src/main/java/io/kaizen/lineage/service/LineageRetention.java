package io.kaizen.lineage.service;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.kaizen.common.outbox.EventRetention;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps lineage for {@code kaizen.lineage.retention-days} (90 by default): on a schedule it deletes the lineage rows
 * whose request is older, and the audit log's personal data of records that occurred before then, in batches of
 * one transaction each. The chained audit records stay: they hold pseudonyms, never personal data, so the chain
 * verifies from its first record as before. Replicas may purge together: each batch skips the rows another holds.
 * <p>
 * Settings: {@code kaizen.lineage.retention-days} (90), {@code kaizen.lineage.retention-batch-size} (rows per
 * transaction, 1000), {@code kaizen.lineage.retention-interval} (1h; {@code disabled} never purges) and
 * {@code kaizen.lineage.retention-start-delay} (1m).
 */
@ApplicationScoped
public class LineageRetention {

    private static final Logger LOG = Logger.getLogger(LineageRetention.class);
    private static final String PURGE_LINEAGE = "delete from lineage_record where invocation_id in"
            + " (select invocation_id from lineage_record where request_timestamp < :cutoff limit :batch"
            + " for update skip locked)";
    private static final String PURGE_PERSONAL_DATA = "delete from audit_personal_data p using"
            + " (select d.organization_id, d.seq, d.field from audit_personal_data d join audit_event e"
            + "   on e.organization_id = d.organization_id and e.seq = d.seq"
            + "   where e.occurred_at < :cutoff limit :batch for update of d skip locked) old"
            + " where p.organization_id = old.organization_id and p.seq = old.seq and p.field = old.field";

    /** What one purge deleted. */
    public record Purged(int lineageRows, int auditPersonalValues) {
    }

    private final Duration retention;
    private final int batchSize;

    LineageRetention(@ConfigProperty(name = "kaizen.lineage.retention-days", defaultValue = "90") int retentionDays,
            @ConfigProperty(name = "kaizen.lineage.retention-batch-size", defaultValue = "1000") int batchSize) {
        if (retentionDays < 1 || batchSize < 1) {
            throw new IllegalArgumentException("kaizen.lineage.retention-days and retention-batch-size must be >= 1");
        }
        this.retention = Duration.ofDays(retentionDays);
        this.batchSize = batchSize;
    }

    @Scheduled(every = "${kaizen.lineage.retention-interval:1h}",
            delayed = "${kaizen.lineage.retention-start-delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return purge()
                .onFailure().invoke(e -> LOG.warnf("lineage retention purge failed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Deletes what is older than the retention, batch after batch. */
    public Uni<Purged> purge() {
        Instant cutoff = Instant.now().minus(retention);
        return EventRetention.deleteInBatches(PURGE_LINEAGE, cutoff, batchSize)
                .chain(rows -> EventRetention.deleteInBatches(PURGE_PERSONAL_DATA, cutoff, batchSize)
                        .map(values -> new Purged(rows, values)))
                .invoke(purged -> {
                    if (purged.lineageRows() > 0 || purged.auditPersonalValues() > 0) {
                        LOG.infof("lineage retention: deleted %d lineage rows and %d personal values of the audit log",
                                purged.lineageRows(), purged.auditPersonalValues());
                    }
                });
    }
}
