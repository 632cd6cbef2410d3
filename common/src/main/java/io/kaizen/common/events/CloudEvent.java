package io.kaizen.common.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.kaizen.common.tracing.TraceContext;

/**
 * A CloudEvents 1.0 event in Kafka binary mode: attributes travel as {@code ce_*} headers, {@code data} is the
 * JSON record value. {@code organizationid} is our extension attribute so consumers can scope without parsing.
 * {@code trace} is the distributed-tracing extension ({@code traceparent}, {@code tracestate}): the trace context of
 * the request that wrote the event, or null when none was traced.
 */
public record CloudEvent(String id, String source, String type, String subject, String organizationId, Instant time,
        String data, TraceContext trace) {

    public static final String SPEC_VERSION = "1.0";

    /** An event outside any trace. */
    public CloudEvent(String id, String source, String type, String subject, String organizationId, Instant time,
            String data) {
        this(id, source, type, subject, organizationId, time, data, null);
    }

    public RecordHeaders headers() {
        RecordHeaders headers = new RecordHeaders();
        put(headers, "ce_specversion", SPEC_VERSION);
        put(headers, "ce_id", id);
        put(headers, "ce_source", source);
        put(headers, "ce_type", type);
        put(headers, "ce_time", time.toString());
        put(headers, "content-type", "application/json");
        if (subject != null) {
            put(headers, "ce_subject", subject);
        }
        if (organizationId != null) {
            put(headers, "ce_organizationid", organizationId);
        }
        if (trace != null) {
            put(headers, "ce_traceparent", trace.traceparent());
            if (trace.tracestate() != null) {
                put(headers, "ce_tracestate", trace.tracestate());
            }
        }
        return headers;
    }

    /** Reads an event from a record; a record without the required attributes is a poison message. */
    public static CloudEvent from(ConsumerRecord<String, String> record) {
        Map<String, String> ce = new HashMap<>();
        for (Header header : record.headers()) {
            if (header.value() != null) {
                ce.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        String id = ce.get("ce_id");
        String type = ce.get("ce_type");
        if (id == null || type == null || !SPEC_VERSION.equals(ce.get("ce_specversion")) || record.value() == null) {
            throw new PoisonEventException("record at " + record.topic() + "/" + record.partition() + "@"
                    + record.offset() + " is not a CloudEvents 1.0 binary-mode event");
        }
        Instant time;
        try {
            time = ce.containsKey("ce_time") ? Instant.parse(ce.get("ce_time")) : Instant.ofEpochMilli(record.timestamp());
        } catch (RuntimeException e) {
            throw new PoisonEventException("event " + id + " has an unreadable ce_time");
        }
        return new CloudEvent(id, ce.get("ce_source"), type, ce.get("ce_subject"), ce.get("ce_organizationid"), time,
                record.value(), TraceContext.of(ce.get("ce_traceparent"), ce.get("ce_tracestate")));
    }

    /**
     * The record's {@code ce_type}, read from its headers alone, or null when it has none: enough for a consumer to
     * pass over a type it does not act on without reading the rest of the record.
     */
    public static String typeOf(ConsumerRecord<?, ?> record) {
        Header type = record.headers().lastHeader("ce_type");
        return type == null || type.value() == null ? null : new String(type.value(), StandardCharsets.UTF_8);
    }

    private static void put(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
