package io.kaizen.common.consumer;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.PoisonEventException;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.common.tracing.EventSpans;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The base of every Kafka consumer of the suite. A subclass's {@code @Incoming} method takes the
 * {@code Message<String>} and returns {@link #handle}; the subclass says what an event does in {@link #process},
 * reading its data with {@link #read} and applying its effect through {@link #once}. This base reads the
 * CloudEvent, retries transient failures and sends the rest to the dead-letter topic ({@link FailurePolicy}), and
 * acknowledges the record either way, so one bad record never stops a consumer. {@link BatchEventConsumer} builds
 * batch consumption on top of this path, which it uses for a batch whose transaction failed. Each attempt runs in a
 * span of the trace of the request that wrote the event ({@link EventSpans}).
 */
public abstract class EventConsumer {

    private final String name;
    private final ObjectMapper mapper;
    private final ProcessedEvents processed;
    private final FailurePolicy failures;
    private final EventSpans spans;

    /**
     * @param name the consumer's name in {@code processed_event} and in the dead-letter header; never change it,
     *             or every event is processed again
     */
    protected EventConsumer(String name, ObjectMapper mapper, ProcessedEvents processed, FailurePolicy failures,
            EventSpans spans) {
        this.name = name;
        this.mapper = mapper;
        this.processed = processed;
        this.failures = failures;
        this.spans = spans;
    }

    /** For the CDI client proxy of an application-scoped subclass only. */
    protected EventConsumer() {
        this(null, null, null, null, null);
    }

    /** What the event does. Called again after a transient failure; ignoring an event is an empty Uni. */
    protected abstract Uni<Void> process(CloudEvent event);

    /**
     * Whether this consumer acts on events of {@code type}. A record of another type is acknowledged as it arrives:
     * its data is not read and it is not recorded as processed, so a consumer that needs a few types of a busy topic
     * pays for those only. Every type by default; a record without a type is read (and dead-lettered) as before.
     */
    protected boolean handles(String type) {
        return true;
    }

    /** Runs {@code effect} in the transaction that records the event as processed; a redelivery changes nothing. */
    protected final Uni<Void> once(CloudEvent event, Function<CloudEvent, Uni<Void>> effect) {
        return processed.once(name, event, effect);
    }

    /** As {@link #once} for many events in one transaction ({@link ProcessedEvents#onceEach}). */
    protected final <T> Uni<Void> onceEach(Map<String, T> work, Function<List<T>, Uni<Void>> effect) {
        return processed.onceEach(name, work, effect);
    }

    /** The event's JSON data; unreadable data makes it a poison event. */
    protected final <T> T read(CloudEvent event, Class<T> type) {
        try {
            return mapper.readValue(event.data(), type);
        } catch (JsonProcessingException e) {
            throw new PoisonEventException("event " + event.id() + " (" + event.type() + ") has unreadable data: "
                    + e.getOriginalMessage());
        }
    }

    /** The body of the subclass's {@code @Incoming} method: the record ends acknowledged or dead-lettered. */
    protected final Uni<Void> handle(Message<String> message) {
        // every attempt, retries included, runs on the record's event loop, where Hibernate Reactive must run
        return processOrDeadLetter(message, Vertx.currentContext())
                .chain(processed -> processed ? Uni.createFrom().completionStage(message::ack) : Uni.createFrom().voidItem());
    }

    /**
     * Processes one record on {@code context}, retrying transient failures; a record that cannot be processed is
     * dead-lettered, which acknowledges it. True when it was processed (and is not acknowledged yet).
     */
    final Uni<Boolean> processOrDeadLetter(Message<String> message, Context context) {
        @SuppressWarnings("unchecked")
        IncomingKafkaRecordMetadata<String, String> record = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException(name + " reads Kafka records only"));
        if (!handled(record.getRecord())) {
            return Uni.createFrom().item(true);
        }
        return failures.retryTransient(name, record, () -> onContext(context, () -> traced(record.getRecord())))
                .onItemOrFailure().transformToUni((ignored, failure) -> failure == null
                        ? Uni.createFrom().item(true)
                        : failures.deadLetter(message, record, name, failure).replaceWith(false));
    }

    /** One attempt at a record, in a span that continues the trace of the request that wrote its event. */
    private Uni<Void> traced(ConsumerRecord<String, String> record) {
        CloudEvent event = CloudEvent.from(record);
        return EventSpans.within(spans.process(name, record.topic(), event), () -> process(event));
    }

    /** False for a record whose {@code ce_type} header names a type this consumer does not act on. */
    final boolean handled(ConsumerRecord<?, ?> record) {
        String type = CloudEvent.typeOf(record);
        return type == null || handles(type);
    }

    final String name() {
        return name;
    }

    final ObjectMapper mapper() {
        return mapper;
    }

    final FailurePolicy failures() {
        return failures;
    }

    final EventSpans spans() {
        return spans;
    }

    /**
     * One attempt, on a duplicated context of its own of {@code context}'s event loop (as it is when null). Hibernate
     * Reactive keeps its session in the context, and an attempt its timeout cuts off ({@link FailurePolicy#limited})
     * closes its session (rolling its transaction back) only once the query it was waiting for, for a lock say, has
     * returned; until then the session stays in its context. A next attempt on that context would take the abandoned
     * session over and queue behind that query; on a context of its own it opens a session of its own.
     */
    static <T> Uni<T> onContext(Context context, Supplier<Uni<T>> attempt) {
        Uni<T> deferred = Uni.createFrom().deferred(attempt::get);
        if (context == null) {
            return deferred;
        }
        Context own = VertxContext.createNewDuplicatedContext(VertxContext.getRootContext(context));
        VertxContextSafetyToggle.setContextSafe(own, true);
        return deferred.runSubscriptionOn(task -> own.runOnContext(ignored -> task.run()));
    }
}
