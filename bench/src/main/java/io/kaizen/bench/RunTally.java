package io.kaizen.bench;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;

/** Counts the answers of one run as they arrive on the client's event loops. */
final class RunTally {

    private final Traffic traffic;
    private final ConcurrentHistogram latency = new ConcurrentHistogram(3);
    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> problems = new ConcurrentHashMap<>();

    RunTally(Traffic traffic) {
        this.traffic = traffic;
    }

    /** @return whether the answer is a success (its latency is then recorded) */
    boolean answered(Exchange.Answer answer, long latencyNanos) {
        String problem;
        try {
            problem = traffic.verdict().problem(answer.status(), answer.body());
        } catch (RuntimeException unreadable) {
            problem = "unreadable answer (HTTP " + answer.status() + ")";
        }
        if (problem != null) {
            count(problem);
            return false;
        }
        latency.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
        ok.increment();
        return true;
    }

    void failed(Throwable error) {
        count(Exchange.failure(error));
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
                counted, latency.copy(), lateSends, Map.of());
    }

    private void count(String problem) {
        problems.computeIfAbsent(problem, label -> new LongAdder()).increment();
    }
}
