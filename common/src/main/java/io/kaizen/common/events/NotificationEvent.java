package io.kaizen.common.events;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Data of {@code notification.requested} on {@code kaizen.notifications.v1}: a message some service wants told on a
 * channel. The gateway, the suite's only door out, delivers it through its stored, retried deliveries.
 *
 * <p>{@code notificationId} is stable for one notification, so a redelivered event never sends twice. A channel never
 * carries a credential: messaging platforms are reached through a registered agent ({@code agent_id}), whose
 * destination and credentials the gateway reads from the registry.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotificationEvent(
        String notificationId,
        String organizationId,
        /** What the notification is about, e.g. {@code budget.threshold_crossed} or {@code approval.requested}. */
        String subject,
        Channel channel,
        Message message,
        Instant occurredAt) {

    /**
     * Where to tell it: {@code email} ({@code to}, one or more addresses), {@code agent} ({@code agentId}, a registered
     * messaging agent of the organisation: slack, teams, discord, telegram, notion or custom_http) or {@code webhook}
     * ({@code url}, which receives this event's data as JSON).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Channel(String type, List<String> to, String agentId, String url) {

        public static final String EMAIL = "email";
        public static final String AGENT = "agent";
        public static final String WEBHOOK = "webhook";
        /** Most addresses one e-mail channel names (RFC 5321 §4.5.3.1.8 asks servers to take at least 100). */
        public static final int MAX_RECIPIENTS = 50;
        /**
         * The shape of an address {@link #isEmailAddress} takes, for the documents: it also holds the address to at
         * most {@link #MAX_ADDRESS_LENGTH} characters and its local part to at most 64.
         */
        public static final String ADDRESS_PATTERN = "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
                + "(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                + "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
        public static final int MAX_ADDRESS_LENGTH = 254;
        private static final Pattern ADDRESS = Pattern.compile(ADDRESS_PATTERN);

        /**
         * Whether an e-mail channel takes this address: a plain {@code local@domain.tld} (RFC 5321 dot-atom, at most
         * 254 characters), never a display name, a comment, a quoted local part or a line break.
         */
        public static boolean isEmailAddress(String address) {
            return address != null && address.length() <= MAX_ADDRESS_LENGTH && address.indexOf('@') <= 64
                    && ADDRESS.matcher(address).matches();
        }
    }

    /** What to tell: every platform renders it its own way. {@code status} is info, success, failed or pending. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String title, String text, String status, List<Fact> facts, String link) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Fact(String name, String value) {
    }
}
