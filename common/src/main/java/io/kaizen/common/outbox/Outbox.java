package io.kaizen.common.outbox;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.tracing.TraceContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Records events for publication. Call it inside the transaction that changes the state the event describes;
 * {@link OutboxRelay} publishes after commit, so there is never an event without its state or state without its
 * event. Each call also notifies {@link #CHANNEL} in that transaction: PostgreSQL delivers the notification when,
 * and only if, the transaction commits (identical notifications of one transaction once), and that wakes the relay.
 * Each row keeps the trace context of the request that wrote it, so its publication and its consumers continue that
 * request's trace although they run later, elsewhere.
 */
@ApplicationScoped
public class Outbox {

    /**
     * The channel every writer of outbox rows notifies after its rows, in their transaction, and the relay listens
     * on. Writers that insert rows natively run {@link #NOTIFY} (or select {@link #NOTIFICATION}) themselves.
     */
    public static final String CHANNEL = "kaizen_outbox";
    /**
     * The notification as a value: text, which Hibernate reads as it reads any column, where the void that
     * {@code pg_notify} answers is a type it does not know and tries to register, throwing and catching an exception
     * at every run.
     */
    public static final String NOTIFICATION = "cast(pg_notify('" + CHANNEL + "', '') as text)";
    public static final String NOTIFY = "select " + NOTIFICATION;

    /**
     * One event to record: its topic, CloudEvents type, key (the aggregate id), organisation and data, and the trace
     * context it belongs to; null there means the context current when it is added (a writer that records events
     * for several requests at once passes each request's own).
     */
    public record Entry(String topic, String type, String key, String organizationId, Object data, TraceContext trace) {

        public Entry(String topic, String type, String key, String organizationId, Object data) {
            this(topic, type, key, organizationId, data, null);
        }
    }

    private static final String JSON_COLUMNS = "id, topic, event_key, type, source, subject, organization_id,"
            + " occurred_at, payload, traceparent, tracestate";

    private final ObjectMapper mapper;
    private final String source;

    Outbox(ObjectMapper mapper, @ConfigProperty(name = "quarkus.application.name") String application) {
        this.mapper = mapper;
        this.source = "/kaizen/" + application;
    }

    public Uni<CloudEvent> add(String topic, String type, String key, String organizationId, Object data) {
        return addAll(List.of(new Entry(topic, type, key, organizationId, data))).map(events -> events.get(0));
    }

    /**
     * Several events of one transaction: one notification for all, and their rows inserted together at flush
     * (the notification goes first, so its native statement flushes nothing of these rows one by one).
     */
    public Uni<List<CloudEvent>> addAll(List<Entry> entries) {
        List<OutboxEvent> rows = rows(entries);
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(NOTIFY).getSingleResult()
                        .chain(ignored -> session.persistAll(rows.toArray())))
                .replaceWith(() -> rows.stream().map(Outbox::event).toList());
    }

    /**
     * A statement that inserts the rows of a JSON array parameter, as {@link #json(List)} writes it, for a writer
     * that stores its own state natively in the same statement or transaction; it runs {@link #NOTIFY} there too.
     * The statement ends after the column definitions, so that a writer may add {@code returning}.
     *
     * @param parameter the array's parameter, as the caller's query names it ({@code :events}, {@code $2})
     */
    public static String insertFromJson(String parameter) {
        return "insert into outbox_event (" + JSON_COLUMNS + ") select " + JSON_COLUMNS
                + " from json_to_recordset(cast(cast(" + parameter + " as text) as json)) as t(id text, topic text,"
                + " event_key text, type text, source text, subject text, organization_id text,"
                + " occurred_at timestamptz, payload text, traceparent text, tracestate text)";
    }

    /** Entries as the JSON array {@link #insertFromJson(String)} inserts: the rows {@link #addAll} would persist. */
    public String json(List<Entry> entries) {
        List<Map<String, String>> array = new ArrayList<>(entries.size());
        for (OutboxEvent row : rows(entries)) {
            Map<String, String> element = new HashMap<>();
            element.put("id", row.id);
            element.put("topic", row.topic);
            element.put("event_key", row.key);
            element.put("type", row.type);
            element.put("source", row.source);
            element.put("subject", row.subject);
            element.put("organization_id", row.organizationId);
            element.put("occurred_at", row.occurredAt.toString());
            element.put("payload", row.payload);
            element.put("traceparent", row.traceparent);
            element.put("tracestate", row.tracestate);
            array.add(element);
        }
        try {
            return mapper.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outbox rows are serialisable", e);
        }
    }

    private List<OutboxEvent> rows(List<Entry> entries) {
        TraceContext current = TraceContext.current();
        List<OutboxEvent> rows = entries.stream()
                .map(entry -> row(entry, entry.trace() != null ? entry.trace() : current))
                .toList();
        // the relay sends a key's rows in occurred_at order: rows of one call keep the call's order even when the
        // clock does not advance between them (PostgreSQL keeps microseconds)
        for (int i = 1; i < rows.size(); i++) {
            Instant previous = rows.get(i - 1).occurredAt;
            if (!rows.get(i).occurredAt.isAfter(previous)) {
                rows.get(i).occurredAt = previous.plus(1, ChronoUnit.MICROS);
            }
        }
        return rows;
    }

    private OutboxEvent row(Entry entry, TraceContext trace) {
        OutboxEvent row = new OutboxEvent();
        row.id = PrefixedId.next(PrefixedId.EVENT);
        row.topic = entry.topic();
        row.key = entry.key();
        row.type = entry.type();
        row.source = source;
        row.subject = entry.key();
        row.organizationId = entry.organizationId();
        row.occurredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        row.payload = json(entry.data());
        if (trace != null) {
            row.traceparent = trace.traceparent();
            row.tracestate = trace.tracestate();
        }
        return row;
    }

    private static CloudEvent event(OutboxEvent row) {
        return row.event();
    }

    private String json(Object data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event data is not serialisable: " + data.getClass().getName(), e);
        }
    }
}
