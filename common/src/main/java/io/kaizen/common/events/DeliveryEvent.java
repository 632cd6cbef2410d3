package io.kaizen.common.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Data of {@code invocation.delivery_settled}: the delivery of an invocation's answer to its {@code callback_url}
 * ended; {@code agentId} is the invoked agent's. {@code status} is {@code delivered}, {@code failed} (refused for good) or {@code exhausted} (every attempt
 * failed); a replayed delivery settles again. Never the destination URL, its headers or the answer.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeliveryEvent(
        String deliveryId,
        String invocationId,
        String organizationId,
        String agentId,
        String kind,
        String status,
        int attempts,
        Instant settledAt) {
}
