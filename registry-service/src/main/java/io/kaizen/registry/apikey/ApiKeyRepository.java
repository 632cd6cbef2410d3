package io.kaizen.registry.apikey;

import java.time.Instant;
import java.util.List;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, String> {

    public Uni<ApiKey> findByHash(String keyHash) {
        return find("keyHash", keyHash).firstResult();
    }

    /** The key if it belongs to the organisation; another organisation's key is indistinguishable from none. */
    public Uni<ApiKey> findInOrganization(String id, String organizationId) {
        // by its key alone, then the organisation (developer guide: "An organisation's row by its id")
        return findById(id).map(key -> key != null && key.organizationId.equals(organizationId) ? key : null);
    }

    public Uni<List<ApiKey>> page(String organizationId, int page, int limit) {
        return find("organizationId", Sort.descending("createdAt", "id"), organizationId)
                .page(Page.of(page - 1, limit)).list();
    }

    public Uni<Long> countInOrganization(String organizationId) {
        return count("organizationId", organizationId);
    }

    /** Revokes the key unless it already is; 1 when this call revoked it, so racing revocations announce it once. */
    public Uni<Integer> revoke(String id, Instant at, String by) {
        return update("revokedAt = ?1, revokedBy = ?2 where id = ?3 and revokedAt is null", at, by, id);
    }

    /**
     * Records a use unless one was recorded since {@code staleBefore}: at most one write per key per interval, and
     * racing requests of the same key write once.
     */
    public Uni<Integer> touch(String id, Instant usedAt, Instant staleBefore) {
        return update("lastUsedAt = ?1 where id = ?2 and (lastUsedAt is null or lastUsedAt < ?3)", usedAt, id,
                staleBefore);
    }
}
