package io.kaizen.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Open-loop benchmark of {@code POST /internal/v1/decisions}: starts the devstack and the packaged governance
 * service, gives {@code agents} agents generous limits, then sends decisions at a fixed rate for a warm-up and a
 * measured period. Latency is measured from each request's scheduled send time, so a stalled server shows up in
 * the percentiles instead of slowing the load (no coordinated omission).
 *
 * <p>Arguments (all optional): {@code rate=2000 seconds=20 warmup=10 agents=200 connections=64}.
 */
public final class DecisionBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new ConcurrentHashMap<>(Map.of("rate", "2000", "seconds", "20", "warmup", "10",
                "agents", "200", "connections", "64"));
        for (String arg : args) {
            String[] pair = arg.split("=", 2);
            if (pair.length != 2 || !options.containsKey(pair[0])) {
                System.err.println("arguments are key=value of: " + options.keySet() + " (got '" + arg + "')");
                System.exit(2);
            }
            options.put(pair[0], pair[1]);
        }
        int rate = Integer.parseInt(options.get("rate"));
        int seconds = Integer.parseInt(options.get("seconds"));
        int warmup = Integer.parseInt(options.get("warmup"));
        int agents = Integer.parseInt(options.get("agents"));
        int connections = Integer.parseInt(options.get("connections"));

        DevStack stack = DevStack.shared();
        int port = freePort();
        ServiceLauncher governance = ServiceLauncher.start(stack, ProjectLayout.locate(), Service.GOVERNANCE, port,
                Path.of("target", "bench-logs").toAbsolutePath(), Map.of("quarkus.log.level", "WARN"));
        governance.awaitReady(ServiceLauncher.READY_TIMEOUT);
        String org = "org_bench";
        String[] ids = seed(governance.url(), stack.serviceToken(), org, agents);

        Vertx vertx = Vertx.vertx();
        io.vertx.core.http.HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true).setMaxPoolSize(connections)
                .setMaxWaitQueueSize(-1));
        System.out.printf("warm-up: %d s at %d/s%n", warmup, rate);
        run(client, stack.serviceToken(), org, ids, rate, warmup);
        System.out.printf("measuring: %d s at %d/s against %d agents over %d connections%n", seconds, rate, agents,
                connections);
        Result result = run(client, stack.serviceToken(), org, ids, rate, seconds);
        result.print(rate, seconds);

        client.close();
        vertx.close();
        governance.stop();
        stack.stop();
        System.exit(0);
    }

    private record Result(long[] latencies, int completed, long errors, Map<String, LongAdder> outcomes,
            long elapsedNanos, long lateStarts) {

        void print(int rate, int seconds) {
            long[] sorted = Arrays.copyOf(latencies, completed);
            Arrays.sort(sorted);
            System.out.printf("sent %d, completed %d, errors %d, throughput %.0f decisions/s (target %d/s)%n",
                    (long) rate * seconds, completed, errors, completed / (elapsedNanos / 1e9), rate);
            System.out.printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n", percentile(sorted, 50),
                    percentile(sorted, 90), percentile(sorted, 99), percentile(sorted, 99.9),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
            System.out.printf("outcomes: %s; sends more than 1 ms behind schedule: %d%n", outcomes, lateStarts);
        }

        private static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }
    }

    private static Result run(io.vertx.core.http.HttpClient client, String token, String org, String[] agents,
            int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicInteger completed = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(total);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long late = 0;
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -1_000_000) {
                late++;
            }
            String body = "{\"invocation_id\":\"" + PrefixedId.next(PrefixedId.INVOCATION) + "\",\"organization_id\":\""
                    + org + "\",\"agent_id\":\"" + agents[i % agents.length] + "\",\"user_id\":\"u" + (i % 50)
                    + "\",\"roles\":[\"developer\"],\"environment\":\"production\",\"input\":\"hello\"}";
            client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/internal/v1/decisions")
                            .putHeader("Content-Type", "application/json").putHeader("X-Kaizen-Service-Token", token))
                    .compose(request -> request.send(Buffer.buffer(body)))
                    .compose(response -> response.body().map(buffer -> {
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("status " + response.statusCode());
                        }
                        return buffer.toString();
                    }))
                    .onComplete(ar -> {
                        long latency = System.nanoTime() - scheduled;
                        if (ar.succeeded()) {
                            latencies[completed.getAndIncrement()] = latency;
                            String text = ar.result();
                            int at = text.indexOf("\"outcome\":\"");
                            String outcome = at < 0 ? "?" : text.substring(at + 11, text.indexOf('"', at + 11));
                            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                        } else {
                            errors.incrementAndGet();
                        }
                        done.countDown();
                    });
        }
        done.await(60, TimeUnit.SECONDS);
        return new Result(latencies, completed.get(), errors.get(), outcomes, System.nanoTime() - start, late);
    }

    /** Agents with limits far above the load, so every decision runs the whole pipeline and is allowed. */
    private static String[] seed(String baseUrl, String token, String org, int count) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String[] ids = new String[count];
        for (int i = 0; i < count; i++) {
            ids[i] = PrefixedId.next(PrefixedId.AGENT);
            HttpRequest put = HttpRequest.newBuilder(URI.create(baseUrl + "/internal/v1/agents/" + ids[i] + "/governance"))
                    .header("Content-Type", "application/json").header("X-Kaizen-Service-Token", token)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"organization_id\":\"" + org + "\","
                            + "\"requests_per_minute\":1000000,\"requests_per_hour\":10000000,\"requests_per_day\":100000000,"
                            + "\"max_monthly_cost\":1000000,\"max_daily_cost\":1000000,\"cost_per_execution\":0.001}"))
                    .build();
            HttpResponse<String> response = http.send(put, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("seeding failed: " + response.statusCode() + " " + response.body());
            }
        }
        return ids;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private DecisionBench() {
    }

}
