package io.kaizen.approval.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import io.kaizen.approval.domain.ApprovalDecision;
import io.kaizen.approval.domain.ApprovalInvocation;
import io.kaizen.approval.domain.ApprovalRequest;
import io.kaizen.approval.domain.ApprovalState;
import io.kaizen.approval.domain.WorkflowSettings;
import io.kaizen.approval.messaging.ApprovalEvents;
import io.kaizen.approval.messaging.ApprovalMessages;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

/**
 * Opens requests for held invocations and reads them. Opening is idempotent on the invocation id, and a user who
 * already waits on an undecided (pending or escalated) request for the same agent joins it instead of opening another,
 * as long as nobody has decided on it yet; both are decided under a transaction-scoped advisory lock on the
 * organisation, agent and user, so concurrent holds of one user never open two requests. A join also takes the
 * request's row lock, the lock every decision and every timer (expiry, escalation, reminder) hold while they move a
 * request on: a call never joins a request whose outcome is being recorded without being part of that outcome's event.
 * A trusted requester's new request is approved as it opens, by the same recording as an approver's decision.
 */
@ApplicationScoped
public class ApprovalRequests {

    /** The reason of an approval by {@link ApprovalDecision#SYSTEM} for a trusted requester. */
    static final String AUTO_APPROVED = "Auto-approved: the requester is trusted by the workflow";
    private static final String LOCK = "select pg_advisory_xact_lock(hashtext('approval_request'), hashtext(:key))";

    private final ApprovalWorkflows workflows;
    private final ApprovalEvents events;
    private final ApprovalDecisions decisions;
    private final ApprovalNotifications notifications;
    private final ApprovalMetrics metrics;

    ApprovalRequests(ApprovalWorkflows workflows, ApprovalEvents events, ApprovalDecisions decisions,
            ApprovalNotifications notifications, ApprovalMetrics metrics) {
        this.workflows = workflows;
        this.events = events;
        this.decisions = decisions;
        this.notifications = notifications;
        this.metrics = metrics;
    }

    /** The request opened, or found, for a held invocation; {@code created} when this call opened it. */
    public record Opened(ApprovalState state, boolean created) {
    }

    /** The filters of a listing; null = any. {@code requestedBy} restricts it to one requester. */
    public record Filter(String organizationId, List<String> statuses, String agentId, String requestedBy) {
    }

    public record Listing(List<ApprovalRequest> items, long total) {
    }

    public Uni<Opened> open(OpenRequest in) {
        return Panache.withTransaction(() -> openOrJoin(in)).invoke(opened -> {
            if (opened.created()) {
                metrics.opened();
            }
        });
    }

    private Uni<Opened> openOrJoin(OpenRequest in) {
        String user = in.requestedBy() + "\n" + (in.externalUserId() == null ? "" : in.externalUserId());
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(LOCK)
                        .setParameter("key", in.organizationId() + "\n" + in.agentId() + "\n" + user)
                        .getSingleResult())
                .chain(() -> ApprovalInvocation.<ApprovalInvocation>findById(in.invocationId()))
                .chain(known -> {
                    if (known != null) {
                        return ApprovalRequest.<ApprovalRequest>findById(known.requestId)
                                .chain(ApprovalRequests::state)
                                .map(state -> new Opened(state, false));
                    }
                    return pendingOf(in).chain(pending -> pending != null ? join(pending, in) : create(in));
                });
    }

    /** A request of any organisation, for the services that check what it decided. */
    @WithSession
    public Uni<ApprovalState> find(String id) {
        return ApprovalRequest.<ApprovalRequest>findById(id)
                .chain(request -> request == null ? Uni.createFrom().nullItem() : state(request));
    }

    @WithSession
    public Uni<ApprovalState> find(String organizationId, String id) {
        return ApprovalRequest.<ApprovalRequest>findById(id)
                .chain(request -> request == null || !request.organizationId.equals(organizationId)
                        ? Uni.createFrom().nullItem() : state(request));
    }

    @WithSession
    public Uni<Listing> list(Filter filter, int pageIndex, int pageSize) {
        StringBuilder query = new StringBuilder("organizationId = :org");
        Parameters params = Parameters.with("org", filter.organizationId());
        if (filter.statuses() != null) {
            query.append(" and status in :statuses");
            params.and("statuses", filter.statuses());
        }
        if (filter.agentId() != null) {
            query.append(" and agentId = :agent");
            params.and("agent", filter.agentId());
        }
        if (filter.requestedBy() != null) {
            query.append(" and requestedBy = :by");
            params.and("by", filter.requestedBy());
        }
        PanacheQuery<ApprovalRequest> found = ApprovalRequest.find(query.toString(),
                Sort.descending("createdAt").and("id", Sort.Direction.Descending), params);
        return found.count().chain(total -> found.page(Page.of(pageIndex, pageSize)).list()
                .map(items -> new Listing(items, total)));
    }

    /** The request with its decisions and invocations, read in the caller's session. */
    static Uni<ApprovalState> state(ApprovalRequest request) {
        return ApprovalDecision.<ApprovalDecision>list("requestId = ?1 order by decidedAt, id", request.id)
                .chain(decisions -> ApprovalInvocation.<ApprovalInvocation>list("requestId = ?1", request.id)
                        .map(rows -> new ApprovalState(request, decisions, rows.stream()
                                // the call the request was opened for first, then those that joined it in turn
                                .sorted(Comparator.comparing((ApprovalInvocation r) ->
                                                !r.invocationId.equals(request.invocationId))
                                        .thenComparing(r -> r.heldAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                                        .thenComparing(r -> r.invocationId))
                                .toList())));
    }

    /**
     * The request a call of the same requester, external user and agent may join: undecided (pending or escalated),
     * not yet due, and not decided on by anyone (an approver who already approved never saw the joining call). Its row is locked, waiting
     * for a decision or expiry in flight; the conditions are checked again on the row that decision left, so a
     * request decided meanwhile is not joined.
     */
    private static Uni<ApprovalRequest> pendingOf(OpenRequest in) {
        String sameExternalUser = in.externalUserId() == null ? "externalUserId is null" : "externalUserId = :user";
        Parameters params = Parameters.with("org", in.organizationId()).and("agent", in.agentId())
                .and("by", in.requestedBy()).and("now", Instant.now());
        if (in.externalUserId() != null) {
            params.and("user", in.externalUserId());
        }
        return ApprovalRequest.<ApprovalRequest>find("organizationId = :org and agentId = :agent"
                        + " and status in ('pending', 'escalated') and approvalCount = 0 and requestedBy = :by and "
                        + sameExternalUser + " and expiresAt > :now order by createdAt", params)
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult();
    }

    private static Uni<Opened> join(ApprovalRequest pending, OpenRequest in) {
        return held(in, pending.id).persist()
                .chain(() -> state(pending))
                .map(state -> new Opened(state, false));
    }

    /** What the approvers are shown of one held call. */
    private static ApprovalInvocation held(OpenRequest in, String requestId) {
        return ApprovalInvocation.of(in.invocationId(), requestId, in.triggerReason(), in.estimatedCost(),
                PayloadSummary.of(in.payloadSummary()), Instant.now());
    }

    private Uni<Opened> create(OpenRequest in) {
        return workflows.resolve(in.organizationId(), in.agentId()).chain(effective -> {
            WorkflowSettings settings = effective.settings();
            ApprovalRequest request = new ApprovalRequest();
            request.id = PrefixedId.next(PrefixedId.APPROVAL);
            request.organizationId = in.organizationId();
            request.agentId = in.agentId();
            request.invocationId = in.invocationId();
            request.requestedBy = in.requestedBy();
            request.requestedByOwner = in.requestedByOwner();
            request.requestedByTeam = in.requestedByTeam();
            request.externalUserId = in.externalUserId();
            request.status = ApprovalRequest.PENDING;
            request.reasons = in.triggerReason();
            request.estimatedCost = in.estimatedCost();
            request.payloadSummary = PayloadSummary.of(in.payloadSummary());
            request.approverRoles = settings.approverRoles();
            request.approverUsers = settings.approverUsers();
            request.requiredApprovals = settings.requiredApprovals();
            request.allowSelfApproval = settings.allowSelfApproval();
            request.onTimeout = settings.onTimeout();
            request.notificationChannels = settings.notificationChannels();
            request.createdAt = Instant.now();
            request.expiresAt = request.createdAt.plus(Duration.ofHours(settings.timeoutHours()));
            timers(request, settings);
            ApprovalInvocation first = held(in, request.id);
            ApprovalState state = new ApprovalState(request, List.of(), List.of(first));
            Uni<Void> opened = request.persist()
                    .chain(() -> first.persist())
                    .chain(() -> events.record(state, null, EventTypes.APPROVAL_REQUESTED));
            if (!settings.trusts(in.requestedBy(), in.requestedByRoles() == null ? List.of() : in.requestedByRoles())) {
                return opened.chain(() -> notifications.tell(state, request.notificationChannels,
                                ApprovalMessages.Occasion.REQUESTED, request.createdAt))
                        .map(ignored -> new Opened(state, true));
            }
            // a trusted requester's request is decided at once: no approver is asked
            return opened.chain(() -> autoApprove(state)).map(approved -> new Opened(approved, true));
        });
    }

    /**
     * The request's timers from its workflow: when it escalates (none without an escalation delay) and when its
     * first reminder is due (none when the workflow sends none).
     */
    private static void timers(ApprovalRequest request, WorkflowSettings settings) {
        request.escalationRoles = settings.escalationRoles();
        request.escalationUsers = settings.escalationUsers();
        request.escalateAt = settings.escalateAfterMinutes() == null ? null
                : request.createdAt.plus(Duration.ofMinutes(settings.escalateAfterMinutes()));
        request.maxReminders = settings.maxReminders();
        request.reminderIntervalMinutes = settings.reminderIntervalMinutes();
        request.nextReminderAt = settings.maxReminders() == 0 ? null
                : request.createdAt.plus(Duration.ofMinutes(settings.reminderIntervalMinutes()));
    }

    /**
     * Approves the request of a trusted requester at once, as {@link ApprovalDecision#SYSTEM}, recorded as any
     * decision is ({@link ApprovalDecisions#approveTrusted}), so the gateway resumes its held call as after any
     * approval. One decision approves it, whatever the quorum: trust is the workflow's word for it.
     */
    private Uni<ApprovalState> autoApprove(ApprovalState opened) {
        return decisions.approveTrusted(opened, AUTO_APPROVED, opened.request().createdAt);
    }
}
