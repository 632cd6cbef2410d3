package io.kaizen.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;

/** Counts the answers of one run as they arrive on the client's event loops. */
final class RunTally {

    private static final int EXCERPT_BYTES = 200;

    private final Traffic traffic;
    private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> problems = new ConcurrentHashMap<>();
    /** The first answer the verdict could not read, so the report shows what it was. */
    private final AtomicReference<String> unreadableExample = new AtomicReference<>();

    RunTally(Traffic traffic) {
        this.traffic = traffic;
    }

    /** @return whether the exchange is a success (its latency is then recorded) */
    boolean record(AsyncResult<Exchange.Answer> exchange, long latencyNanos) {
        if (exchange.failed()) {
            count(Exchange.failure(exchange.cause()));
            return false;
        }
        Exchange.Answer answer = exchange.result();
        String problem;
        try {
            problem = traffic.verdict().problem(answer.status(), answer.body());
        } catch (RuntimeException unreadable) {
            problem = "unreadable answer (HTTP " + answer.status() + ")";
            unreadableExample.compareAndSet(null, excerpt(answer.body()) + "; headers: " + headerLine(answer));
        }
        if (problem != null) {
            count(problem);
            return false;
        }
        latency.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
        ok.increment();
        return true;
    }

    /**
     * @param sent requests of the measured period; those neither answered nor failed by now count as "no answer"
     */
    LoadResult result(int offeredRate, int connections, double seconds, long sent, long lateSends) {
        Map<String, Long> counted = new TreeMap<>();
        problems.forEach((label, count) -> counted.put(label, count.sum()));
        long accounted = ok.sum() + counted.values().stream().mapToLong(Long::longValue).sum();
        if (sent > accounted) {
            counted.put("no answer", sent - accounted);
        }
        return new LoadResult(traffic.name(), offeredRate, connections, seconds, Math.max(sent, accounted), ok.sum(),
                counted, latency.copy(), lateSends, Map.of(), unreadableExample.get());
    }

    /** The body's length and its start, control characters escaped, so that it fits on one line of the report. */
    static String excerpt(Buffer body) {
        if (body.length() == 0) {
            return "0 bytes";
        }
        String text = body.getString(0, Math.min(body.length(), EXCERPT_BYTES), "UTF-8");
        StringBuilder line = new StringBuilder().append(body.length()).append(" bytes: ");
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                line.append(String.format("\\u%04x", c));
            } else {
                line.appendCodePoint(c);
            }
        });
        return body.length() > EXCERPT_BYTES ? line.append('…').toString() : line.toString();
    }

    /** The answer's headers on one line, so that an unreadable answer says how it was framed. */
    private static String headerLine(Exchange.Answer answer) {
        StringBuilder line = new StringBuilder();
        answer.headers().forEach(header -> line.append(header.getKey()).append(": ").append(header.getValue()).append("; "));
        return line.toString().strip();
    }

    private void count(String problem) {
        problems.computeIfAbsent(problem, label -> new LongAdder()).increment();
    }
}
