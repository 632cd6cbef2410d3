package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;

/** Data of {@code policy.created}, {@code policy.updated} and {@code policy.deleted}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PolicyEvent(String policyId, String organizationId, String name, String effect, int priority,
        boolean enabled, int version, String actor, Instant occurredAt) {
}
