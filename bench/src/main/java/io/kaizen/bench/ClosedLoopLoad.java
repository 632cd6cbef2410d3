package io.kaizen.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * Maximum throughput: {@code connections} loops, each sending its next request as soon as the last one is
 * answered, for {@code warmup + measure}. Answers that arrive within the measured period are recorded, with
 * latency from their actual send.
 */
final class ClosedLoopLoad {

    private static final long FAILURE_PAUSE_MILLIS = 10;

    private final Vertx vertx;
    private final Duration timeout;

    ClosedLoopLoad(Vertx vertx, Duration timeout) {
        this.vertx = vertx;
        this.timeout = timeout;
    }

    LoadResult run(Traffic traffic, int connections, Duration warmup, Duration measure) {
        HttpClient client = Exchange.client(vertx, connections);
        RunTally tally = new RunTally(traffic);
        AtomicLong sequence = new AtomicLong();
        AtomicLong recorded = new AtomicLong();
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        CountDownLatch loops = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            new Loop(client, traffic, tally, sequence, recorded, measureFrom, end, loops).next();
        }
        try {
            loops.await(end - System.nanoTime() + Exchange.longest(timeout).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        LoadResult result = tally.result(0, connections, measure.toSeconds(), recorded.get(), 0);
        client.close();
        return result;
    }

    private final class Loop {
        private final HttpClient client;
        private final Traffic traffic;
        private final RunTally tally;
        private final AtomicLong sequence;
        private final AtomicLong recorded;
        private final long measureFrom;
        private final long end;
        private final CountDownLatch finished;

        Loop(HttpClient client, Traffic traffic, RunTally tally, AtomicLong sequence, AtomicLong recorded,
                long measureFrom, long end, CountDownLatch finished) {
            this.client = client;
            this.traffic = traffic;
            this.tally = tally;
            this.sequence = sequence;
            this.recorded = recorded;
            this.measureFrom = measureFrom;
            this.end = end;
            this.finished = finished;
        }

        void next() {
            long sentAt = System.nanoTime();
            if (sentAt >= end) {
                finished.countDown();
                return;
            }
            Exchange.send(vertx, client, traffic, sequence.getAndIncrement(), timeout).onComplete(done -> {
                long now = System.nanoTime();
                if (now >= measureFrom && now < end) {
                    recorded.incrementAndGet();
                    tally.record(done, now - sentAt);
                }
                if (done.failed()) {
                    // a target that refuses connections is not hammered in a tight loop
                    vertx.setTimer(FAILURE_PAUSE_MILLIS, timer -> next());
                } else {
                    next();
                }
            });
        }
    }
}
