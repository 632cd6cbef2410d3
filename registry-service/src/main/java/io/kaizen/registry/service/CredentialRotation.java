package io.kaizen.registry.service;

import java.util.List;

import org.jboss.logging.Logger;

import io.kaizen.registry.domain.ExternalAgent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Re-encrypts every stored credential under the newest key. Works in committed batches of rows whose key
 * fingerprint differs from the newest, so it can be stopped and run again at any point, and a second run finds
 * nothing to do. Replicas may run it together: rows are claimed with SKIP LOCKED.
 */
@ApplicationScoped
public class CredentialRotation {

    private static final Logger LOG = Logger.getLogger(CredentialRotation.class);
    private static final String CLAIM = "select * from external_agent where encrypted_credentials is not null"
            + " and credentials_key is distinct from :current order by id limit :limit for update skip locked";

    private final CredentialStore store;

    CredentialRotation(CredentialStore store) {
        this.store = store;
    }

    public record Report(int reEncrypted, String keyFingerprint) {
    }

    public Uni<Report> rotate(int batchSize) {
        return rotateFrom(0, batchSize);
    }

    private Uni<Report> rotateFrom(int doneSoFar, int batchSize) {
        return batch(batchSize).chain(count -> {
            if (count == 0) {
                LOG.infof("credential rotation finished: %d rows re-encrypted under key %s", doneSoFar,
                        store.currentKeyFingerprint());
                return Uni.createFrom().item(new Report(doneSoFar, store.currentKeyFingerprint()));
            }
            return rotateFrom(doneSoFar + count, batchSize);
        });
    }

    private Uni<Integer> batch(int batchSize) {
        return Panache.withTransaction(() -> Panache.getSession()
                .chain(session -> session.createNativeQuery(CLAIM, ExternalAgent.class)
                        .setParameter("current", store.currentKeyFingerprint())
                        .setParameter("limit", batchSize)
                        .getResultList())
                .chain(rows -> reEncrypt(rows).replaceWith(rows.size())));
    }

    private Uni<Void> reEncrypt(List<ExternalAgent> rows) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (ExternalAgent row : rows) {
            all = all.chain(() -> store.open(row.encryptedCredentials).chain(store::seal).invoke(sealed -> {
                row.encryptedCredentials = sealed.token();
                row.credentialsKey = sealed.keyFingerprint();
            }).replaceWithVoid());
        }
        return all;
    }
}
