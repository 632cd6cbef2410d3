package io.kaizen.common.consumer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.reactive.InOrder;
import io.kaizen.common.tracing.EventSpans;
import io.opentelemetry.api.trace.Span;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A consumer that takes its records in batches ({@code mp.messaging.incoming.<channel>.batch=true}) so that one
 * partition is not held to one commit per event. A subclass's {@code @Incoming} method takes the
 * {@code KafkaRecordBatch<String, String>} and returns {@link #handleBatch}; the subclass says what an event asks for
 * in {@link #decode} and writes the work of many events at once in {@link #apply}.
 * <p>
 * One transaction records every event of the batch as processed and applies the work of those not processed before,
 * so a redelivered event changes nothing; the batch is acknowledged after the commit. When that transaction fails
 * (a poison record, a value the database refuses, the database away), the batch's records go one by one through the
 * per-record path of {@link EventConsumer}: each is applied once in its own transaction, transient failures are
 * retried and a record that cannot be processed is dead-lettered alone. A single record takes that path too, so both
 * paths write the same thing.
 * <p>
 * Each event of a batch gets its own process span in the trace of the request that wrote it, open while the batch is
 * applied: the batch serves many traces, and each trace shows its event reached this consumer.
 */
public abstract class BatchEventConsumer<T> extends EventConsumer {

    private static final Logger LOG = Logger.getLogger(BatchEventConsumer.class);

    /** @param name as in {@link EventConsumer}; the same name on both paths, so each sees the other's records */
    protected BatchEventConsumer(String name, ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures,
            EventSpans spans) {
        super(name, mapper, processed, failures, spans);
    }

    /** For the CDI client proxy of an application-scoped subclass only. */
    protected BatchEventConsumer() {
    }

    /**
     * What the event asks for, or empty when it asks for nothing (it is then not recorded as processed, as with
     * {@link #process}). Runs before any transaction; unreadable data is a poison event ({@link #read}).
     */
    protected abstract Optional<T> decode(CloudEvent event);

    /**
     * Writes the work of events not processed before, in record order, inside the transaction that records them as
     * processed. Whether it gets one event or hundreds, the rows it writes are the same.
     */
    protected abstract Uni<Void> apply(List<T> work);

    /**
     * Records the events of {@code work} (event id → what it asks for) as processed and applies the work of those not
     * processed before, in one transaction; both paths come here. A subclass whose work continues past the commit
     * (a store outside the database that must never get ahead of it) surrounds this.
     */
    protected Uni<Void> applyOnce(Map<String, T> work) {
        return onceEach(work, this::apply);
    }

    @Override
    protected final Uni<Void> process(CloudEvent event) {
        Optional<T> work = decode(event);
        return work.isEmpty() ? Uni.createFrom().voidItem() : applyOnce(Map.of(event.id(), work.get()));
    }

    /** The body of the subclass's batch {@code @Incoming} method: every record ends applied once or dead-lettered. */
    protected final Uni<Void> handleBatch(KafkaRecordBatch<String, String> batch) {
        // Hibernate Reactive must run on the batch's Vert.x context, the fallback's attempts included
        Context context = Vertx.currentContext();
        return failures().limited(onContext(context, () -> applyRecords(batch.getRecords())))
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("%s: a batch of %d records failed as a whole, applying them one by one: %s", name(),
                            batch.getRecords().size(), FailureKind.reason(failure));
                    return oneByOne(batch.getRecords(), context);
                })
                .chain(() -> Uni.createFrom().completionStage(batch::ack));
    }

    private Uni<Void> applyRecords(List<KafkaRecord<String, String>> records) {
        // keyed by event id: a batch may hold a redelivery of its own event, which, as on the per-record path, is a no-op
        Map<String, T> work = new LinkedHashMap<>();
        List<Span> traced = new ArrayList<>();
        try {
            for (KafkaRecord<String, String> record : records) {
                if (!handled(metadata(record).getRecord())) {
                    continue;
                }
                CloudEvent event = CloudEvent.from(metadata(record).getRecord());
                Optional<T> item = decode(event);
                if (item.isPresent() && work.putIfAbsent(event.id(), item.get()) == null) {
                    traced.add(spans().process(name(), record.getTopic(), event));
                }
            }
        } catch (RuntimeException e) {
            // a poison record: this batch goes one by one, where each record gets its own span
            traced.forEach(span -> EventSpans.end(span, e));
            throw e;
        }
        if (work.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return applyOnce(work).onItemOrFailure().invoke((ignored, failure) -> traced.forEach(
                span -> EventSpans.end(span, failure)));
    }

    /** The per-record path for each record in turn; the batch is acknowledged once all are through. */
    private Uni<Void> oneByOne(List<KafkaRecord<String, String>> records, Context context) {
        return InOrder.each(records, record -> processOrDeadLetter(record, context));
    }

    @SuppressWarnings("unchecked")
    private IncomingKafkaRecordMetadata<String, String> metadata(KafkaRecord<String, String> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException(name() + " reads Kafka records only"));
    }
}
