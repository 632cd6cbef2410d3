package io.kaizen.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.Topics;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.Service;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * The lineage service measured on its own (issue 10): how fast it ingests invocation events, how long an event takes
 * to become a readable lineage row at a fixed rate, and how long the export of every ingested row takes (run before
 * the lag run adds rows), with the service's resident memory during the export. The events go straight to {@code kaizen.invocations.v1} as the gateway's outbox
 * relay publishes them (CloudEvents headers, {@code invocation.completed}), for a fresh organisation of the run, so
 * the invoke path's own limits do not bound what is measured. Every consumer of the topic sees them, as it would see
 * real ones: governance finds no reservation to settle, the gateway's webhooks consumer no webhook.
 */
final class LineageBench {

    /**
     * @param events        sent in the ingest run
     * @param ingestSeconds from the first send to the moment the list answered every row
     * @param rows          rows the list answered at the end of the ingest run
     * @param cores         CPU per process during the ingest run
     * @param lag           the lag run: event sent (its scheduled time) → row readable
     * @param export        the export of every row of the run's organisation
     */
    record Result(String organizationId, int events, long sendErrors, double ingestSeconds, long rows,
            Map<String, Double> cores, int lagRate, LineageLag.Result lag, Export export) {

        boolean ingestComplete() {
            return rows >= events;
        }

        double ingestRate() {
            return ingestSeconds <= 0 ? 0 : rows / ingestSeconds;
        }

        JsonObject toJson() {
            return new JsonObject()
                    .put("organization_id", organizationId)
                    .put("events", events)
                    .put("send_errors", sendErrors)
                    .put("ingest_seconds", LoadResult.round(ingestSeconds))
                    .put("rows", rows)
                    .put("ingest_rate", LoadResult.round(ingestRate()))
                    .put("cores", LoadResult.rounded(cores))
                    .put("lag_rate", lagRate)
                    .put("lag", lag.toJson())
                    .put("export", export.toJson());
        }
    }

    /**
     * @param rows      NDJSON lines received
     * @param seconds   from the request to the last byte
     * @param rssBefore the lineage service's resident memory (MiB) just before the request
     * @param rssMax    the most it reached while the export streamed, read every 50 ms
     * @param problem   why the export did not complete, or null
     */
    record Export(long rows, long bytes, double seconds, double rssBefore, double rssMax, String problem) {

        double rssGrowth() {
            return rssMax - rssBefore;
        }

        JsonObject toJson() {
            return new JsonObject().put("rows", rows).put("bytes", bytes).put("seconds", LoadResult.round(seconds))
                    .put("rss_before_mib", LoadResult.round(rssBefore)).put("rss_max_mib", LoadResult.round(rssMax))
                    .put("problem", problem);
        }
    }

    private static final DateTimeFormatter RUN = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private static final String LINEAGE = Service.LINEAGE.module();
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration LAG_DEADLINE = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final LocalSuite suite;
    private final SuiteProcesses processes;
    private final BenchOptions options;
    private final Consumer<String> progress;
    private final HttpClient client;
    private final String organizationId;
    private final String jwt;

    private LineageBench(Vertx vertx, LocalSuite suite, SuiteProcesses processes, BenchOptions options,
            Consumer<String> progress, String organizationId) {
        this.vertx = vertx;
        this.suite = suite;
        this.processes = processes;
        this.options = options;
        this.progress = progress;
        this.client = Exchange.client(vertx, 4);
        this.organizationId = organizationId;
        this.jwt = suite.ownerToken(organizationId);
    }

    /**
     * The three runs, each after the suite went quiet ({@code settle}). Before them, unless {@code lineage-warmup} is
     * 0, an ingest of that many events for an organisation of its own, not recorded: lineage-service's hot code is
     * then compiled (C2) when the runs begin, as in a service that has been ingesting for a while, also when the
     * lineage target runs alone on a fresh suite.
     */
    static Result run(Vertx vertx, LocalSuite suite, SuiteProcesses processes, BenchOptions options,
            Consumer<String> progress, Runnable settle) throws Exception {
        String organizationId = "org_bench_lineage_" + RUN.format(Instant.now());
        try (KafkaProducer<String, String> producer = producer(suite.kafkaBootstrap())) {
            if (options.lineageWarmup() > 0) {
                LineageBench warming = new LineageBench(vertx, suite, processes, options, progress,
                        organizationId + "_warmup");
                try {
                    progress.accept(String.format("lineage warm-up: %,d invocation events for %s, not recorded",
                            options.lineageWarmup(), warming.organizationId));
                    warming.ingest(producer, options.lineageWarmup());
                } finally {
                    warming.client.close();
                }
                settle.run();
            }
            LineageBench bench = new LineageBench(vertx, suite, processes, options, progress, organizationId);
            try {
                return bench.run(producer, settle);
            } finally {
                bench.client.close();
            }
        }
    }

    /** What an ingest run measured: the rows counted, the time they took, the failed sends, cores per process. */
    private record Ingest(long rows, double seconds, long errors, Map<String, Double> cores) {
    }

    /** Sends {@code events} as fast as Kafka takes them and waits until the list counts their rows (or gives up). */
    private Ingest ingest(KafkaProducer<String, String> producer, int events) throws Exception {
        LongAdder errors = new LongAdder();
        Map<String, Long> cpuBefore = processes.cpuTicks();
        long begin = System.nanoTime();
        for (int n = 0; n < events; n++) {
            send(producer, errors);
        }
        producer.flush();
        long deadline = begin + Duration.ofSeconds(120).plusMillis(events).toNanos();
        long rows = rows();
        while (rows < events - errors.sum() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(POLL.toNanos());
            rows = rows();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        Map<String, Double> cores = SuiteProcesses.coresBetween(cpuBefore, processes.cpuTicks(), seconds);
        progress.accept(String.format("    %,d rows in %.1f s: %,.0f events/s, %d send errors", rows, seconds,
                rows / seconds, errors.sum()));
        return new Ingest(rows, seconds, errors.sum(), cores);
    }

    private Result run(KafkaProducer<String, String> producer, Runnable settle) throws Exception {
        int events = options.lineageEvents();
        progress.accept(String.format("lineage ingest: %,d invocation events for %s, as fast as Kafka takes them",
                events, organizationId));
        Ingest ingest = ingest(producer, events);
        settle.run();

        // the export comes before the lag run, whose events would add rows to the organisation's
        progress.accept("lineage export: every row of " + organizationId + " as NDJSON");
        Export export = export();
        progress.accept(String.format("    %,d rows, %,.1f MiB in %.1f s; lineage-service %s MiB before, at most %s MiB"
                        + " during%s", export.rows(), export.bytes() / 1048576.0, export.seconds(),
                BenchReport.millis(export.rssBefore()), BenchReport.millis(export.rssMax()),
                export.problem() == null ? "" : "; " + export.problem()));
        settle.run();

        int rate = options.lineageRate();
        progress.accept(String.format("lineage lag: %,d events/s for %d s, one in %d followed to its row", rate,
                options.measure().toSeconds(), options.lineageEvery()));
        LineageLag lag = new LineageLag(vertx, suite.router().getHost(), suite.router().getPort(), jwt, 1,
                LAG_DEADLINE);
        LongAdder errors = new LongAdder();
        long total = rate * options.measure().toSeconds();
        long start = System.nanoTime();
        for (long n = 0; n < total; n++) {
            long due = start + n * TimeUnit.SECONDS.toNanos(1) / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String invocationId = send(producer, errors);
            if (n % options.lineageEvery() == 0) {
                lag.follow(invocationId, due);
            }
        }
        producer.flush();
        LineageLag.Result lagResult = lag.await(rate);
        progress.accept(String.format("    %d samples, p50 %s ms, p99 %s ms, %d without a row", lagResult.samples(),
                BenchReport.millis(lagResult.percentileMillis(50)), BenchReport.millis(lagResult.percentileMillis(99)),
                lagResult.missing()));
        settle.run();

        return new Result(organizationId, events, ingest.errors() + errors.sum(), ingest.seconds(), ingest.rows(),
                ingest.cores(), rate, lagResult, export);
    }

    private String send(KafkaProducer<String, String> producer, LongAdder errors) {
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        Instant now = Instant.now();
        CloudEvent event = new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/bench",
                EventTypes.INVOCATION_COMPLETED, invocationId, organizationId, now, invocation(invocationId, now));
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.INVOCATIONS, null, invocationId,
                event.data(), event.headers());
        producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                errors.increment();
            }
        });
        return invocationId;
    }

    /** An {@code invocation.completed} event's data as the gateway writes it: five layers, context, outcome. */
    private String invocation(String invocationId, Instant at) {
        return new JsonObject()
                .put("invocation_id", invocationId)
                .put("organization_id", organizationId)
                .put("status", "success")
                .put("external_user", new JsonObject().put("id", "bench-user").put("email", "bench-user@example.com"))
                .put("external_system", new JsonObject().put("system", "kaizen-bench").put("session_id", "bench"))
                .put("kaizen_auth", new JsonObject().put("method", "jwt").put("subject", "kaizen-bench")
                        .put("organization_id", organizationId))
                .put("agent", new JsonObject().put("id", "agt_bench_lineage").put("name", "bench-lineage")
                        .put("platform", "custom_http").put("endpoint", "http://127.0.0.1:18088/bench-agent"))
                .put("trace", new JsonObject().put("trace_id", invocationId.substring(4)).put("span_id", "0"))
                .put("request", new JsonObject().put("ip_address", "127.0.0.1").put("user_agent", "kaizen-bench")
                        .put("requested_at", at.toString()))
                .put("governance", new JsonObject().put("decision", "ALLOW")
                        .put("decision_id", PrefixedId.next(PrefixedId.DECISION)))
                .put("result", new JsonObject().put("completed_at", at.toString()).put("duration_ms", 1)
                        .put("cost_usd", 0.05).put("response_status_code", 200))
                .encode();
    }

    /** The organisation's row count, from the list's {@code total}; -1 when the list did not answer. */
    private long rows() throws Exception {
        RequestOptions request = get("/api/v1/lineage?limit=1");
        JsonObject page = client.request(request)
                .compose(sent -> sent.send())
                .compose(response -> response.body().map(body -> response.statusCode() == 200
                        ? new JsonObject(body) : new JsonObject()))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Object total = page.getValue("total");
        return total instanceof Number number ? number.longValue() : -1;
    }

    private Export export() throws Exception {
        double before = processes.residentMiB(LINEAGE);
        double[] max = {before};
        long sampler = vertx.setPeriodic(50, id -> max[0] = Math.max(max[0], processes.residentMiB(LINEAGE)));
        LongAdder lines = new LongAdder();
        LongAdder bytes = new LongAdder();
        AtomicReference<String> problem = new AtomicReference<>();
        long begin = System.nanoTime();
        try {
            client.request(get("/api/v1/lineage/export?format=ndjson"))
                    .compose(sent -> sent.send())
                    .compose(response -> {
                        if (response.statusCode() != 200) {
                            problem.set("HTTP " + response.statusCode());
                        }
                        response.handler(chunk -> count(chunk, lines, bytes));
                        return response.end();
                    })
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
        } catch (Exception e) {
            problem.set(Exchange.failure(e.getCause() != null ? e.getCause() : e));
        } finally {
            vertx.cancelTimer(sampler);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        max[0] = Math.max(max[0], processes.residentMiB(LINEAGE));
        return new Export(lines.sum(), bytes.sum(), seconds, before, max[0], problem.get());
    }

    private static void count(Buffer chunk, LongAdder lines, LongAdder bytes) {
        bytes.add(chunk.length());
        for (int i = 0; i < chunk.length(); i++) {
            if (chunk.getByte(i) == '\n') {
                lines.increment();
            }
        }
    }

    private RequestOptions get(String uri) {
        return new RequestOptions().setMethod(HttpMethod.GET).setHost(suite.router().getHost())
                .setPort(suite.router().getPort()).setURI(uri).putHeader("Authorization", "Bearer " + jwt)
                .setIdleTimeout(TimeUnit.MINUTES.toMillis(2));
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "kaizen-bench-lineage");
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }
}
