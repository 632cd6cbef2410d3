package io.kaizen.gateway.service;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.kaizen.common.events.EventTypes;

/**
 * The event catalogue webhooks subscribe to (docs/webhooks.md, docs/events.md): short names, such as
 * {@code invocation.failed}, for the CloudEvents types of the suite. A subscription names an entry, or a group of
 * entries as {@code <group>.*} ({@code invocation.*}). Decisions and policy changes are not subscribable: they are
 * internal.
 */
public final class WebhookEvents {

    /** One subscribable event: its short name, its CloudEvents type, what it reports. */
    public record Entry(String name, String type, String description) {
    }

    public static final List<Entry> CATALOGUE = List.of(
            new Entry("agent.registered", EventTypes.AGENT_REGISTERED, "An agent was registered"),
            new Entry("agent.updated", EventTypes.AGENT_UPDATED, "An agent's configuration or status changed"),
            new Entry("agent.deleted", EventTypes.AGENT_DELETED, "An agent was deleted"),
            new Entry("agent.credentials_rotated", EventTypes.AGENT_CREDENTIALS_ROTATED,
                    "An agent's outbound credentials were replaced"),
            new Entry("agent.credentials_accessed", EventTypes.AGENT_CREDENTIALS_ACCESSED,
                    "The gateway read an agent's credentials"),
            new Entry("invocation.accepted", EventTypes.INVOCATION_ACCEPTED,
                    "An invocation was accepted for asynchronous execution"),
            new Entry("invocation.completed", EventTypes.INVOCATION_COMPLETED, "An invocation succeeded"),
            new Entry("invocation.failed", EventTypes.INVOCATION_FAILED,
                    "An invocation failed: the agent answered an error, timed out or could not be reached"),
            new Entry("invocation.blocked", EventTypes.INVOCATION_BLOCKED,
                    "Governance refused an invocation (policy, rate limit or budget)"),
            new Entry("invocation.held", EventTypes.INVOCATION_HELD, "An invocation waits for an approval"),
            new Entry("invocation.rejected", EventTypes.INVOCATION_REJECTED,
                    "A held invocation ended unexecuted: its approval was rejected"),
            new Entry("invocation.expired", EventTypes.INVOCATION_EXPIRED,
                    "A held invocation ended unexecuted: its approval expired"),
            new Entry("budget.threshold_crossed", EventTypes.BUDGET_THRESHOLD_CROSSED,
                    "Spend of a budget reached one of its alert thresholds (default 50, 75, 90 and 100 %)"),
            new Entry("approval.requested", EventTypes.APPROVAL_REQUESTED, "An approval was requested"),
            new Entry("approval.approved", EventTypes.APPROVAL_APPROVED, "An approval was granted"),
            new Entry("approval.rejected", EventTypes.APPROVAL_REJECTED, "An approval was rejected"),
            new Entry("approval.expired", EventTypes.APPROVAL_EXPIRED, "An approval expired undecided"),
            new Entry("webhook.disabled", EventTypes.WEBHOOK_DISABLED,
                    "A webhook of the organisation was disabled after failed deliveries"));

    private static final String NAMES = "agent\\.(registered|updated|deleted|credentials_rotated|credentials_accessed)"
            + "|invocation\\.(accepted|completed|failed|blocked|held|rejected|expired)|budget\\.threshold_crossed"
            + "|approval\\.(requested|approved|rejected|expired)|webhook\\.disabled";
    /** The catalogue's names, and the names and groups a webhook may subscribe to, for the documents. */
    public static final String NAME_PATTERN = "^(" + NAMES + ")$";
    public static final String SUBSCRIPTION_PATTERN = "^(" + NAMES
            + "|(agent|invocation|budget|approval|webhook)\\.\\*)$";

    private static final Map<String, Entry> BY_NAME = CATALOGUE.stream()
            .collect(Collectors.toUnmodifiableMap(Entry::name, Function.identity()));
    private static final Map<String, Entry> BY_TYPE = CATALOGUE.stream()
            .collect(Collectors.toUnmodifiableMap(Entry::type, Function.identity()));

    private WebhookEvents() {
    }

    /** The entry of a short name (no wildcard). */
    public static Optional<Entry> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Whether a webhook could subscribe to events of this CloudEvents type: the consumer passes over the rest. */
    public static boolean subscribable(String type) {
        return BY_TYPE.containsKey(type);
    }

    /** The subscriptions that name no entry and no group of entries, in their order. */
    public static List<String> unknown(Collection<String> subscriptions) {
        return subscriptions.stream().filter(subscription -> !known(subscription)).toList();
    }

    /** Whether subscriptions (names and groups) take events of this CloudEvents type. */
    public static boolean covers(Collection<String> subscriptions, String type) {
        Entry entry = BY_TYPE.get(type);
        return entry != null && subscriptions.stream().anyMatch(subscription -> matches(subscription, entry.name()));
    }

    private static boolean known(String subscription) {
        return BY_NAME.containsKey(subscription)
                || (isGroup(subscription) && CATALOGUE.stream().anyMatch(entry -> matches(subscription, entry.name())));
    }

    private static boolean matches(String subscription, String name) {
        return isGroup(subscription) ? name.startsWith(subscription.substring(0, subscription.length() - 1))
                : subscription.equals(name);
    }

    private static boolean isGroup(String subscription) {
        return subscription.endsWith(".*") && subscription.length() > 2 && subscription.indexOf('*') == subscription.length() - 1;
    }
}
