package io.kaizen.common.tracing;

import java.util.function.Supplier;

import io.kaizen.common.events.CloudEvent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The spans of events on Kafka. An event is published by the outbox relay and processed by consumers long after the
 * request that wrote it ended, so neither can take the trace from the running context: both take it from the event
 * ({@link CloudEvent#trace()}, stored with the outbox row). The publish span and each consumer's process span are
 * children of the span that wrote the event, so one invoke, its events and the rows they lead to are one trace.
 * An event without trace context starts a trace of its own.
 */
@ApplicationScoped
public class EventSpans {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<String> CONSUMER_GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
    static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("cloudevents.event_type");

    private final Tracer tracer;

    EventSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The span of sending {@code event} to {@code topic}; the caller ends it when the broker answered. */
    public Span publish(String topic, CloudEvent event) {
        return start("publish " + topic, SpanKind.PRODUCER, "send", topic, event).startSpan();
    }

    /** The span of {@code consumer} processing {@code event}; the caller ends it ({@link #end}). */
    public Span process(String consumer, String topic, CloudEvent event) {
        return start("process " + topic, SpanKind.CONSUMER, "process", topic, event)
                .setAttribute(CONSUMER_GROUP, consumer)
                .startSpan();
    }

    /**
     * Runs {@code work} with {@code span} current while it is assembled and subscribed to (so what it starts
     * synchronously, and the logs it writes, belong to the span), and ends the span when the work ends.
     */
    public static <T> Uni<T> within(Span span, Supplier<Uni<T>> work) {
        return Uni.createFrom().<T>emitter(emitter -> {
            try (Scope ignored = span.makeCurrent()) {
                work.get().subscribe().with(emitter::complete, emitter::fail);
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }).onItemOrFailure().invoke((item, failure) -> end(span, failure));
    }

    /** Ends a span, marked as failed when {@code failure} is not null. */
    public static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
        span.end();
    }

    private io.opentelemetry.api.trace.SpanBuilder start(String name, SpanKind kind, String operation, String topic,
            CloudEvent event) {
        TraceContext trace = event.trace();
        return tracer.spanBuilder(name)
                .setSpanKind(kind)
                .setParent(trace == null ? Context.root() : trace.asParent())
                .setAttribute(SYSTEM, "kafka")
                .setAttribute(OPERATION, operation)
                .setAttribute(DESTINATION, topic)
                .setAttribute(MESSAGE_ID, event.id())
                .setAttribute(EVENT_TYPE, event.type());
    }
}
