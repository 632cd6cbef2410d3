package io.kaizen.bench;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * Requests at a fixed rate, whatever the answers do: request n is due at {@code start + n / rate}, and its latency
 * runs from that time, not from when it was actually sent. A server that stalls therefore shows its stall in the
 * percentiles instead of slowing the load down (no coordinated omission). The first {@code warmup} of the run is
 * load without records; each run has its own connection pool.
 */
final class OpenLoopLoad {

    /** Called for each successful answer of the measured period, on an event loop; must not block. */
    interface AnswerListener {
        void answered(long n, Exchange.Answer answer, long answeredAtNanos);

        AnswerListener NONE = (n, answer, at) -> { };
    }

    private static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Vertx vertx;
    private final int connections;
    private final Duration timeout;

    OpenLoopLoad(Vertx vertx, int connections, Duration timeout) {
        this.vertx = vertx;
        this.connections = connections;
        this.timeout = timeout;
    }

    LoadResult run(Traffic traffic, int rate, Duration warmup, Duration measure, AnswerListener listener) {
        HttpClient client = Exchange.client(vertx, connections);
        RunTally tally = new RunTally(traffic);
        long firstMeasured = rate * warmup.toSeconds();
        long total = firstMeasured + rate * measure.toSeconds();
        AtomicLong outstanding = new AtomicLong();
        long lateSends = 0;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        for (long n = 0; n < total; n++) {
            long scheduled = start + n * NANOS_PER_SECOND / rate;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            boolean measured = n >= firstMeasured;
            if (measured && System.nanoTime() - scheduled > LATE_NANOS) {
                lateSends++;
            }
            long sequence = n;
            outstanding.incrementAndGet();
            Exchange.send(vertx, client, traffic, n, timeout).onComplete(done -> {
                long now = System.nanoTime();
                if (measured && tally.record(done, now - scheduled)) {
                    listener.answered(sequence, done.result(), now);
                }
                outstanding.decrementAndGet();
            });
        }
        awaitAnswers(outstanding);
        LoadResult result = tally.result(rate, connections, measure.toSeconds(), total - firstMeasured, lateSends);
        client.close();
        return result;
    }

    /** Every request has an answer or has failed by its deadline. */
    private void awaitAnswers(AtomicLong outstanding) {
        long deadline = System.nanoTime() + Exchange.longest(timeout).toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
