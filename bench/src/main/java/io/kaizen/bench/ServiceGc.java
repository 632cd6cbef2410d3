package io.kaizen.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.json.JsonObject;

/**
 * The garbage collections of each service so far, from its own Prometheus metrics ({@code /q/metrics}, Micrometer's
 * {@code jvm_gc_pause_seconds} summary, one series per collector and cause): young collections, and full ones (the
 * whole heap, every thread stopped; {@code action="end of major GC"}). Read before the first run and after the last,
 * their difference is what the benchmark cost each service in collections.
 */
final class ServiceGc {

    private static final String COUNT = "jvm_gc_pause_seconds_count{";
    private static final String SUM = "jvm_gc_pause_seconds_sum{";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private ServiceGc() {
    }

    /** Collections and their pause time in seconds, young and full. */
    record Pauses(long young, double youngSeconds, long full, double fullSeconds) {

        static final Pauses NONE = new Pauses(0, 0, 0, 0);

        Pauses minus(Pauses earlier) {
            return new Pauses(young - earlier.young, youngSeconds - earlier.youngSeconds, full - earlier.full,
                    fullSeconds - earlier.fullSeconds);
        }

        JsonObject toJson() {
            return new JsonObject().put("young", young).put("young_seconds", LoadResult.round(youngSeconds))
                    .put("full", full).put("full_seconds", LoadResult.round(fullSeconds));
        }
    }

    /** Each service's collections so far, by module; a service whose metrics cannot be read is left out. */
    static Map<String, Pauses> read(Map<String, URI> services) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        Map<String, Pauses> pauses = new LinkedHashMap<>();
        services.forEach((module, base) -> {
            try {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(base.resolve("/q/metrics"))
                        .timeout(TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    pauses.put(module, parse(answer.body()));
                }
            } catch (IOException e) {
                // left out: the report shows no collections for it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return pauses;
    }

    /** Each service's collections since {@code before} (a {@link #read} earlier), by module. */
    static Map<String, Pauses> since(Map<String, Pauses> before, Map<String, URI> services) {
        Map<String, Pauses> since = new LinkedHashMap<>();
        read(services).forEach((module, now) -> since.put(module, now.minus(before.getOrDefault(module, Pauses.NONE))));
        return since;
    }

    /** The totals of Prometheus text: every {@code jvm_gc_pause_seconds} series, full when its action is major. */
    static Pauses parse(String metrics) {
        long young = 0;
        long full = 0;
        double youngSeconds = 0;
        double fullSeconds = 0;
        for (String line : metrics.split("\n")) {
            boolean count = line.startsWith(COUNT);
            if (!count && !line.startsWith(SUM)) {
                continue;
            }
            int end = line.lastIndexOf('}');
            // the value is the first field after the labels (a timestamp or an exemplar may follow it)
            String[] fields = line.substring(end + 1).strip().split("\\s+");
            double value;
            try {
                value = Double.parseDouble(fields[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            boolean major = line.substring(0, end).contains("action=\"end of major GC\"");
            if (count && major) {
                full += Math.round(value);
            } else if (count) {
                young += Math.round(value);
            } else if (major) {
                fullSeconds += value;
            } else {
                youngSeconds += value;
            }
        }
        return new Pauses(young, youngSeconds, full, fullSeconds);
    }
}
