package io.kaizen.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Follows one answered invoke in {@code every} to its lineage row: polls {@code GET /api/v1/lineage/{id}} through
 * the router until it answers 200. The lag runs from the invoke's answer to the answer of the first successful
 * poll, so it is an upper bound; polls come every 20 ms, then every 15 % of the time waited so far.
 */
final class LineageLag implements OpenLoopLoad.AnswerListener {

    /**
     * @param samples invokes followed; {@code missing} of them had no row by the deadline
     * @param lag     microseconds, of the rows seen
     */
    record Result(int offeredRate, long samples, long missing, Map<String, Long> problems, Histogram lag) {

        double percentileMillis(double percentile) {
            return lag.getTotalCount() == 0 ? Double.NaN : lag.getValueAtPercentile(percentile) / 1000.0;
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("offered_rate", offeredRate)
                    .put("samples", samples)
                    .put("missing", missing)
                    .put("p50_ms", LoadResult.round(percentileMillis(50)))
                    .put("p90_ms", LoadResult.round(percentileMillis(90)))
                    .put("p99_ms", LoadResult.round(percentileMillis(99)))
                    .put("max_ms", lag.getTotalCount() == 0 ? null : LoadResult.round(lag.getMaxValue() / 1000.0))
                    .put("poll_problems", new JsonObject(new TreeMap<String, Object>(problems)));
        }
    }

    private static final long FIRST_POLL_MILLIS = 20;
    private static final double BACK_OFF = 0.15;

    private final Vertx vertx;
    private final HttpClient client;
    private final String host;
    private final int port;
    private final String jwt;
    private final int every;
    private final Duration deadline;
    private final ConcurrentHistogram lag = new ConcurrentHistogram(3);
    private final AtomicLong pending = new AtomicLong();
    private final LongAdder samples = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final Map<String, LongAdder> problems = new ConcurrentHashMap<>();

    LineageLag(Vertx vertx, String host, int port, String jwt, int every, Duration deadline) {
        this.vertx = vertx;
        this.client = Exchange.client(vertx, 8);
        this.host = host;
        this.port = port;
        this.jwt = jwt;
        this.every = every;
        this.deadline = deadline;
    }

    @Override
    public void answered(long n, Exchange.Answer answer, long answeredAtNanos) {
        if (n % every != 0) {
            return;
        }
        String invocationId = answer.headers().get("X-Kaizen-Invocation-ID");
        if (invocationId == null) {
            samples.increment();
            count("answer without X-Kaizen-Invocation-ID");
            missing.increment();
            return;
        }
        follow(invocationId, answeredAtNanos);
    }

    /** Follows one invocation to its lineage row, the lag counted from {@code sinceNanos}. */
    void follow(String invocationId, long sinceNanos) {
        samples.increment();
        pending.incrementAndGet();
        poll(invocationId, sinceNanos);
    }

    /** Waits until every sample has its row or has passed its deadline. */
    Result await(int offeredRate) {
        long until = System.nanoTime() + deadline.plusSeconds(10).toNanos();
        while (pending.get() > 0 && System.nanoTime() < until) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        Map<String, Long> counted = new TreeMap<>();
        problems.forEach((label, count) -> counted.put(label, count.sum()));
        Result result = new Result(offeredRate, samples.sum(), missing.sum() + pending.get(), counted, lag.copy());
        client.close();
        return result;
    }

    private void poll(String invocationId, long answeredAtNanos) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                .setURI("/api/v1/lineage/" + invocationId).putHeader("Authorization", "Bearer " + jwt)
                .setConnectTimeout(deadline.toMillis()).setIdleTimeout(deadline.toMillis());
        client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(body -> response.statusCode()))
                .onComplete(done -> {
                    long now = System.nanoTime();
                    if (done.succeeded() && done.result() == 200) {
                        lag.recordValue(TimeUnit.NANOSECONDS.toMicros(now - answeredAtNanos));
                        pending.decrementAndGet();
                        return;
                    }
                    if (done.failed()) {
                        count(Exchange.failure(done.cause()));
                    } else if (done.result() != 404) {
                        count("HTTP " + done.result());
                    }
                    long waited = now - answeredAtNanos;
                    if (waited >= deadline.toNanos()) {
                        missing.increment();
                        pending.decrementAndGet();
                        return;
                    }
                    long pause = Math.max(FIRST_POLL_MILLIS, (long) (TimeUnit.NANOSECONDS.toMillis(waited) * BACK_OFF));
                    vertx.setTimer(pause, timer -> poll(invocationId, answeredAtNanos));
                });
    }

    private void count(String problem) {
        problems.computeIfAbsent(problem, label -> new LongAdder()).increment();
    }
}
