package io.kaizen.bench;

import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

import io.vertx.core.json.JsonObject;

/**
 * One measured run of one target: what was offered, what came back, and the latency of the successful answers.
 *
 * @param target      the target's label
 * @param offeredRate requests per second of an open-loop run; 0 for a closed-loop run
 * @param connections the client's connection pool
 * @param sent        requests of the measured period (open loop: scheduled in it; closed loop: answered in it)
 * @param ok          of these, the successful answers
 * @param problems    the others, by label ({@code HTTP 503}, {@code timeout}, {@code DENY_RATE})
 * @param latency     of the successful answers, microseconds; open loop from each request's scheduled send time
 * @param lateSends   open loop: requests sent more than 1 ms after their scheduled time (the load generator fell
 *                    behind; their latency still counts from the schedule)
 * @param cpuCores    cores used per process during the run, warm-up included ({@link SuiteProcesses})
 * @param unreadableExample the first answer counted as an {@code unreadable answer}, its length and start; null if none
 */
record LoadResult(String target, int offeredRate, int connections, double seconds, long sent, long ok,
        Map<String, Long> problems, Histogram latency, long lateSends, Map<String, Double> cpuCores,
        String unreadableExample) {

    LoadResult withCpu(Map<String, Double> cores) {
        return new LoadResult(target, offeredRate, connections, seconds, sent, ok, problems, latency, lateSends, cores,
                unreadableExample);
    }

    /** A run that kept up: at least 95 % answered successfully and the median within a second. */
    boolean keptUp() {
        return ok >= 0.95 * sent && percentileMillis(50) <= 1000;
    }

    boolean closedLoop() {
        return offeredRate == 0;
    }

    double throughput() {
        return ok / seconds;
    }

    /** CPU time of every process but the load generator per successful request, in milliseconds. */
    double suiteCpuMillisPerRequest() {
        double suiteCores = cpuCores.entrySet().stream()
                .filter(entry -> !entry.getKey().equals(SuiteProcesses.LOAD_GENERATOR))
                .mapToDouble(Map.Entry::getValue).sum();
        return ok == 0 ? Double.NaN : suiteCores * 1000 / throughput();
    }

    long errors() {
        return sent - ok;
    }

    double percentileMillis(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    JsonObject toJson() {
        return new JsonObject()
                .put("target", target)
                .put("mode", closedLoop() ? "closed" : "open")
                .put("offered_rate", closedLoop() ? null : offeredRate)
                .put("connections", connections)
                .put("seconds", seconds)
                .put("sent", sent)
                .put("ok", ok)
                .put("throughput", round(throughput()))
                .put("p50_ms", round(percentileMillis(50)))
                .put("p90_ms", round(percentileMillis(90)))
                .put("p99_ms", round(percentileMillis(99)))
                .put("p999_ms", round(percentileMillis(99.9)))
                .put("max_ms", latency.getTotalCount() == 0 ? null : round(latency.getMaxValue() / 1000.0))
                .put("errors", new JsonObject(new TreeMap<String, Object>(problems)))
                .put("unreadable_example", unreadableExample)
                .put("late_sends", lateSends)
                .put("kept_up", closedLoop() ? null : keptUp())
                .put("cpu_cores", rounded(cpuCores))
                .put("suite_cpu_ms_per_request", round(suiteCpuMillisPerRequest()));
    }

    static JsonObject rounded(Map<String, Double> values) {
        JsonObject json = new JsonObject();
        values.forEach((key, value) -> json.put(key, round(value)));
        return json;
    }

    static Double round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
