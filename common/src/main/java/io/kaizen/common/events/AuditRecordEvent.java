package io.kaizen.common.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Data of {@code audit.recorded}: one record of an organisation's audit chain, as lineage-service chained it. The
 * timestamps and {@code data} are the exact texts the hash covers, so a consumer recomputes {@code hash} from this
 * record alone (the canonical form is in {@code docs/events.md}). {@code data} is the audited event's data as JSON
 * text with its personal fields replaced by pseudonyms, or null when the event's data was not JSON.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditRecordEvent(
        String organizationId,
        long seq,
        String eventId,
        String type,
        String source,
        String subject,
        String agentId,
        String occurredAt,
        String recordedAt,
        String data,
        String prevHash,
        String hash) {
}
