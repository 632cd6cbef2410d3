package io.kaizen.registry.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.kaizen.common.reactive.InOrder;
import io.kaizen.registry.crypto.CredentialCipher.UndecryptableException;
import io.kaizen.registry.domain.ExternalAgent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Re-encrypts every stored credential under the newest key. Works in committed batches of rows whose key
 * fingerprint differs from the newest, so it can be stopped and run again at any point, and a second run finds
 * nothing to do. Replicas may run it together: rows are claimed with SKIP LOCKED. A row no configured key can
 * decrypt is left as it is and reported by agent id, and the rotation goes on with the rest.
 */
@ApplicationScoped
public class CredentialRotation {

    private static final Logger LOG = Logger.getLogger(CredentialRotation.class);
    // walks forward by id, so a row left behind (undecryptable) is never claimed again by the same run
    private static final String CLAIM = "select * from external_agent where encrypted_credentials is not null"
            + " and credentials_key is distinct from :current and id > :after order by id limit :limit"
            + " for update skip locked";

    private final CredentialStore store;

    CredentialRotation(CredentialStore store) {
        this.store = store;
    }

    /** At most this many skipped agent ids travel in the answer; every one is logged. */
    static final int LISTED_SKIPPED = 100;

    /**
     * What a run did: rows re-encrypted under the key with {@code keyFingerprint}, how many agents' credentials no
     * configured key could decrypt (left unchanged), and the first {@value #LISTED_SKIPPED} of those agents.
     */
    public record Report(int reEncrypted, String keyFingerprint, int skipped, List<String> skippedAgentIds) {
    }

    public Uni<Report> rotate(int batchSize) {
        return rotateFrom("", new Progress(), batchSize);
    }

    /** Counts of the run so far; touched only by the run's own sequential chain. */
    private static final class Progress {
        int reEncrypted;
        int skipped;
        final List<String> listed = new ArrayList<>();

        void skip(String agentId) {
            if (skipped++ < LISTED_SKIPPED) {
                listed.add(agentId);
            }
        }
    }

    private Uni<Report> rotateFrom(String after, Progress progress, int batchSize) {
        AtomicReference<String> cursor = new AtomicReference<>(after);
        return InOrder.whileMore(() -> batch(cursor.get(), progress, batchSize).map(last -> {
            cursor.set(last);
            // null: the batch was empty, every row is done
            return last != null;
        })).map(ignored -> {
            LOG.infof("credential rotation finished: %d rows re-encrypted under key %s, %d skipped",
                    progress.reEncrypted, store.currentKeyFingerprint(), progress.skipped);
            return new Report(progress.reEncrypted, store.currentKeyFingerprint(), progress.skipped,
                    List.copyOf(progress.listed));
        });
    }

    /** Re-encrypts one batch after {@code after} and answers the batch's last id, or null when none was left. */
    private Uni<String> batch(String after, Progress progress, int batchSize) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, ExternalAgent.class)
                        .setParameter("current", store.currentKeyFingerprint())
                        .setParameter("after", after)
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> reEncrypt(rows, progress)
                        .replaceWith(rows.isEmpty() ? null : rows.get(rows.size() - 1).id)));
    }

    private Uni<Void> reEncrypt(List<ExternalAgent> rows, Progress progress) {
        return InOrder.each(rows, row -> store.open(row.encryptedCredentials).chain(store::seal).invoke(sealed -> {
            row.encryptedCredentials = sealed.token();
            row.credentialsKey = sealed.keyFingerprint();
            progress.reEncrypted++;
        }).replaceWithVoid().onFailure(UndecryptableException.class).recoverWithItem(() -> {
            LOG.warnf("credential rotation skipped agent %s: no configured key decrypts its credentials", row.id);
            progress.skip(row.id);
            return null;
        }));
    }
}
