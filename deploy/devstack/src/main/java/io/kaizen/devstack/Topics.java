package io.kaizen.devstack;

import java.util.List;
import java.util.stream.Stream;

/** The Kafka topics of DESIGN §4, created by the devstack broker at start. */
public final class Topics {

    public static final String AGENTS = "kaizen.agents.v1";
    public static final String GOVERNANCE = "kaizen.governance.v1";
    public static final String INVOCATIONS = "kaizen.invocations.v1";
    public static final String APPROVALS = "kaizen.approvals.v1";
    public static final String NOTIFICATIONS = "kaizen.notifications.v1";
    public static final String AUDIT = "kaizen.audit.v1";

    public static final String DLQ_SUFFIX = ".dlq";
    public static final int PARTITIONS = 3;
    public static final short REPLICATION_FACTOR = 1;

    /** The event topics, without their dead-letter topics. */
    public static final List<String> EVENT_TOPICS = List.of(AGENTS, GOVERNANCE, INVOCATIONS, APPROVALS, NOTIFICATIONS, AUDIT);

    /** Every topic the broker must have: each event topic and its {@code .dlq}. */
    public static final List<String> ALL = EVENT_TOPICS.stream()
            .flatMap(t -> Stream.of(t, dlq(t)))
            .toList();

    private Topics() {
    }

    public static String dlq(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
