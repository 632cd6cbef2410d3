package io.kaizen.approval.service;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.kaizen.approval.domain.ApprovalWorkflow;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.common.ids.PrefixedId;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Workflow configuration: an agent's own workflow wins over its organisation's default, which wins over the built-in
 * {@link WorkflowSettings#defaults()}.
 */
@ApplicationScoped
public class ApprovalWorkflows {

    static final String PREFIX = "awf";

    /** The workflow that applies to an agent, and where it comes from: {@code agent}, {@code organization}, {@code default}. */
    public record Effective(String source, WorkflowSettings settings, ApprovalWorkflow stored) {
    }

    @WithSession
    public Uni<Effective> effective(String organizationId, String agentId) {
        return resolve(organizationId, agentId);
    }

    /** As {@link #effective}, inside the caller's session. */
    Uni<Effective> resolve(String organizationId, String agentId) {
        return ApprovalWorkflow.<ApprovalWorkflow>list("organizationId = ?1 and agentId in ?2", organizationId,
                        List.of(agentId, ApprovalWorkflow.DEFAULT))
                .map(rows -> {
                    Optional<ApprovalWorkflow> own = rows.stream().filter(r -> r.agentId.equals(agentId)).findFirst();
                    Optional<ApprovalWorkflow> org = rows.stream()
                            .filter(r -> r.agentId.equals(ApprovalWorkflow.DEFAULT)).findFirst();
                    if (own.isPresent() && !agentId.equals(ApprovalWorkflow.DEFAULT)) {
                        return new Effective("agent", own.get().settings(), own.get());
                    }
                    return org.map(w -> new Effective("organization", w.settings(), w))
                            .orElseGet(() -> new Effective("default", WorkflowSettings.defaults(), null));
                });
    }

    @WithSession
    public Uni<List<ApprovalWorkflow>> list(String organizationId) {
        return ApprovalWorkflow.list("organizationId = ?1 order by agentId", organizationId);
    }

    /** Stores the workflow of an agent, or the organisation's default for {@link ApprovalWorkflow#DEFAULT}. */
    @WithTransaction
    public Uni<ApprovalWorkflow> put(String organizationId, String agentId, WorkflowSettings settings, String by) {
        return ApprovalWorkflow.<ApprovalWorkflow>find("organizationId = ?1 and agentId = ?2", organizationId, agentId)
                .firstResult()
                .chain(found -> {
                    ApprovalWorkflow row = found != null ? found : new ApprovalWorkflow();
                    if (found == null) {
                        row.id = PrefixedId.next(PREFIX);
                        row.organizationId = organizationId;
                        row.agentId = agentId;
                    }
                    row.apply(settings);
                    row.updatedBy = by;
                    row.updatedAt = Instant.now();
                    return found != null ? Uni.createFrom().item(row) : row.<ApprovalWorkflow>persist();
                });
    }

    /** Removes an agent's own workflow (it falls back to the default); false when it had none. */
    @WithTransaction
    public Uni<Boolean> remove(String organizationId, String agentId) {
        return ApprovalWorkflow.delete("organizationId = ?1 and agentId = ?2", organizationId, agentId)
                .map(count -> count > 0);
    }
}
