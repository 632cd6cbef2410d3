package io.kaizen.common.events;

/** CloudEvents {@code type} values: {@code kaizen.<aggregate>.<event>.v1}. */
public final class EventTypes {

    public static final String AGENT_REGISTERED = "kaizen.agent.registered.v1";
    public static final String AGENT_UPDATED = "kaizen.agent.updated.v1";
    public static final String AGENT_DELETED = "kaizen.agent.deleted.v1";
    public static final String AGENT_CREDENTIALS_ROTATED = "kaizen.agent.credentials_rotated.v1";
    public static final String AGENT_CREDENTIALS_ACCESSED = "kaizen.agent.credentials_accessed.v1";
    /** What every {@code agent.*} type starts with. */
    public static final String AGENT_PREFIX = "kaizen.agent.";
    public static final String APIKEY_CREATED = "kaizen.apikey.created.v1";
    public static final String APIKEY_REVOKED = "kaizen.apikey.revoked.v1";

    public static final String GOVERNANCE_CONFIG_UPDATED = "kaizen.governance.config.updated.v1";
    public static final String DECISION_DENIED = "kaizen.governance.decision.denied.v1";
    public static final String DECISION_EVALUATED = "kaizen.governance.decision.evaluated.v1";
    public static final String BUDGET_THRESHOLD_CROSSED = "kaizen.governance.budget.threshold_crossed.v1";
    public static final String POLICY_CREATED = "kaizen.governance.policy.created.v1";
    public static final String POLICY_UPDATED = "kaizen.governance.policy.updated.v1";
    public static final String POLICY_DELETED = "kaizen.governance.policy.deleted.v1";

    public static final String INVOCATION_ACCEPTED = "kaizen.invocation.accepted.v1";
    public static final String INVOCATION_COMPLETED = "kaizen.invocation.completed.v1";
    public static final String INVOCATION_FAILED = "kaizen.invocation.failed.v1";
    public static final String INVOCATION_BLOCKED = "kaizen.invocation.blocked.v1";
    public static final String INVOCATION_HELD = "kaizen.invocation.held.v1";
    public static final String INVOCATION_REJECTED = "kaizen.invocation.rejected.v1";
    public static final String INVOCATION_EXPIRED = "kaizen.invocation.expired.v1";

    /** The approval lifecycle ({@code kaizen.approvals.v1}, published by approval-service). */
    public static final String APPROVAL_REQUESTED = "kaizen.approval.requested.v1";
    public static final String APPROVAL_DECISION_RECORDED = "kaizen.approval.decision_recorded.v1";
    public static final String APPROVAL_APPROVED = "kaizen.approval.approved.v1";
    public static final String APPROVAL_REJECTED = "kaizen.approval.rejected.v1";
    public static final String APPROVAL_EXPIRED = "kaizen.approval.expired.v1";
    /** An undecided request passed its escalation delay: its escalation targets may decide it too. */
    public static final String APPROVAL_ESCALATED = "kaizen.approval.escalated.v1";
    /** A reminder of an undecided request fell due; notifications of it are sent from this event. */
    public static final String APPROVAL_REMINDER_SENT = "kaizen.approval.reminder_sent.v1";

    /** An organisation webhook turned itself off after failed deliveries ({@code kaizen.agents.v1}, by the gateway). */
    public static final String WEBHOOK_DISABLED = "kaizen.webhook.disabled.v1";

    /** A message to tell on a channel ({@code kaizen.notifications.v1}, delivered by the gateway). */
    public static final String NOTIFICATION_REQUESTED = "kaizen.notification.requested.v1";

    /** A record of the audit chain ({@code kaizen.audit.v1}, published by lineage-service). */
    public static final String AUDIT_RECORDED = "kaizen.audit.recorded.v1";

    private EventTypes() {
    }
}
