package io.kaizen.common.events;

/** The Kafka topics of the suite (DESIGN §4). Each has a {@code .dlq} twin for poison messages. */
public final class Topics {

    public static final String AGENTS = "kaizen.agents.v1";
    public static final String GOVERNANCE = "kaizen.governance.v1";
    public static final String INVOCATIONS = "kaizen.invocations.v1";
    public static final String APPROVALS = "kaizen.approvals.v1";
    public static final String NOTIFICATIONS = "kaizen.notifications.v1";
    public static final String AUDIT = "kaizen.audit.v1";

    private Topics() {
    }
}
