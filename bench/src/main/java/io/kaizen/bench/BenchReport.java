package io.kaizen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One benchmark run as Markdown tables (with the ratios to the baselines and the goals) and as JSON.
 *
 * @param targets     by key, in the order they ran
 * @param memory      per process, read after the last run
 */
record BenchReport(Instant started, Machine machine, BenchOptions options, Map<String, TargetResults> targets,
        List<LineageLag.Result> lineage, LineageBench.Result lineageRuns, Memory memory, String loadAverageAtEnd,
        List<Goals.Goal> goals) {

    /**
     * @param residentMiB per process after the last run (VmRSS)
     * @param peakMiB     the most each process had resident since it started (VmHWM)
     * @param collections each service's garbage collections from the first run to the end of the last
     * @param compilerSeconds CPU seconds of each service's JIT compiler threads over the same time
     */
    record Memory(Map<String, Double> residentMiB, Map<String, Double> peakMiB,
            Map<String, ServiceGc.Pauses> collections, Map<String, Double> compilerSeconds) {
    }

    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(machine.summary()).append("; at the end ").append(loadAverageAtEnd).append(".\n");
        md.append("Warm-up ").append(options.warmup().toSeconds()).append(" s, then ").append(options.measure().toSeconds())
                .append(" s measured per rate; open-loop pool ").append(options.connections()).append(" connections; ")
                .append(options.agents()).append(" agents in the many-agent rows.\n\n");
        openLoopTable(md);
        closedLoopTable(md);
        lineageTable(md);
        lineageRunsTable(md);
        cpuTable(md);
        memoryTable(md);
        goalsTable(md);
        return md.toString();
    }

    private void openLoopTable(StringBuilder md) {
        md.append("### Open loop: fixed rate, latency from each request's scheduled send time\n\n");
        md.append("| target | offered | achieved | p50 ms | p90 ms | p99 ms | errors | added vs sink p50 / p99 |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        TargetResults sink = targets.get(BenchOptions.SINK);
        for (TargetResults target : targets.values()) {
            if (target.absence().isPresent()) {
                md.append("| ").append(target.name()).append(" | — | — | — | — | — | — | ")
                        .append(target.absence().get()).append(" |\n");
                continue;
            }
            Set<Integer> rates = new LinkedHashSet<>();
            target.openLoop().forEach(result -> rates.add(result.offeredRate()));
            rates.addAll(target.notRun().keySet());
            for (int rate : rates.stream().sorted().toList()) {
                Optional<LoadResult> run = target.at(rate);
                if (run.isEmpty()) {
                    md.append("| ").append(target.name()).append(" | ").append(count(rate)).append("/s | — | — | — | — | — | ")
                            .append(target.whyNotRun(rate).orElse("not run")).append(" |\n");
                    continue;
                }
                LoadResult result = run.get();
                md.append("| ").append(target.name())
                        .append(" | ").append(count(rate)).append("/s")
                        .append(" | ").append(count(Math.round(result.throughput()))).append("/s")
                        .append(" | ").append(millis(result.percentileMillis(50)))
                        .append(" | ").append(millis(result.percentileMillis(90)))
                        .append(" | ").append(millis(result.percentileMillis(99)))
                        .append(" | ").append(errors(result))
                        .append(" | ").append(addedVsSink(target, sink, rate))
                        .append(" |\n");
            }
        }
        md.append('\n');
    }

    private static String addedVsSink(TargetResults target, TargetResults sink, int rate) {
        if (sink == null || target == sink || target.key().startsWith("decision")) {
            return "";
        }
        Optional<LoadResult> base = sink.at(rate);
        Optional<LoadResult> measured = target.at(rate);
        if (base.isEmpty() || measured.isEmpty() || measured.get().ok() == 0) {
            return "";
        }
        return signed(measured.get().percentileMillis(50) - base.get().percentileMillis(50)) + " / "
                + signed(measured.get().percentileMillis(99) - base.get().percentileMillis(99)) + " ms";
    }

    private void closedLoopTable(StringBuilder md) {
        md.append("### Closed loop: maximum throughput\n\n");
        md.append("| target | connections | throughput | p50 ms | p90 ms | p99 ms | errors | vs nginx | vs sink |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        Optional<LoadResult> nginx = Optional.ofNullable(targets.get(BenchOptions.NGINX)).flatMap(TargetResults::closedLoop);
        Optional<LoadResult> sink = Optional.ofNullable(targets.get(BenchOptions.SINK)).flatMap(TargetResults::closedLoop);
        for (TargetResults target : targets.values()) {
            Optional<LoadResult> run = target.closedLoop();
            if (run.isEmpty() && target.absence().isEmpty()) {
                continue; // an open-loop-only target (a platform's emulator)
            }
            if (run.isEmpty()) {
                md.append("| ").append(target.name()).append(" | — | — | — | — | — | — | | ")
                        .append(target.absence().orElse("not run")).append(" |\n");
                continue;
            }
            LoadResult result = run.get();
            md.append("| ").append(target.name())
                    .append(" | ").append(result.connections())
                    .append(" | ").append(count(Math.round(result.throughput()))).append("/s")
                    .append(" | ").append(millis(result.percentileMillis(50)))
                    .append(" | ").append(millis(result.percentileMillis(90)))
                    .append(" | ").append(millis(result.percentileMillis(99)))
                    .append(" | ").append(errors(result))
                    .append(" | ").append(ratio(result, nginx))
                    .append(" | ").append(ratio(result, sink))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void lineageTable(StringBuilder md) {
        if (lineage.isEmpty()) {
            return;
        }
        md.append("### Lineage lag: answered invoke → readable lineage row (sampled, governed invoke over ")
                .append(options.agents()).append(" agents)\n\n");
        md.append("| offered | samples | p50 ms | p90 ms | p99 ms | max ms | no row within 30 s |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (LineageLag.Result lag : lineage) {
            md.append("| ").append(count(lag.offeredRate())).append("/s | ").append(lag.samples())
                    .append(" | ").append(millis(lag.percentileMillis(50)))
                    .append(" | ").append(millis(lag.percentileMillis(90)))
                    .append(" | ").append(millis(lag.percentileMillis(99)))
                    .append(" | ").append(lag.lag().getTotalCount() == 0 ? "—" : millis(lag.lag().getMaxValue() / 1000.0))
                    .append(" | ").append(lag.missing()).append(" |\n");
        }
        md.append('\n');
    }

    private void lineageRunsTable(StringBuilder md) {
        if (lineageRuns == null) {
            return;
        }
        LineageBench.Result runs = lineageRuns;
        LineageBench.Export export = runs.export();
        md.append("### Lineage service alone: invocation events sent to Kafka\n\n");
        md.append("| run | measured |\n|---|---|\n");
        md.append("| ingest, ").append(count(runs.events())).append(" events as fast as Kafka takes them | ")
                .append(count(Math.round(runs.ingestRate()))).append(" events/s (")
                .append(count(runs.rows())).append(" rows in ").append(millis(runs.ingestSeconds())).append(" s, ")
                .append(runs.sendErrors()).append(" send errors); lineage-service ")
                .append(millis(runs.cores().getOrDefault("lineage-service", Double.NaN))).append(" cores |\n");
        LineageLag.Result lag = runs.lag();
        md.append("| lag at ").append(count(runs.lagRate())).append(" events/s: sent → row readable | p50 ")
                .append(millis(lag.percentileMillis(50))).append(" ms, p99 ").append(millis(lag.percentileMillis(99)))
                .append(" ms, ").append(lag.samples()).append(" samples, ").append(lag.missing())
                .append(" without a row |\n");
        md.append("| export of every row, NDJSON | ").append(count(export.rows())).append(" rows, ")
                .append(millis(export.bytes() / 1048576.0)).append(" MiB in ").append(millis(export.seconds()))
                .append(" s; lineage-service ").append(millis(export.rssBefore())).append(" MiB before, at most ")
                .append(millis(export.rssMax())).append(" MiB during")
                .append(export.problem() == null ? "" : "; " + export.problem()).append(" |\n\n");
    }

    /**
     * Where the CPU went, in the reference-rate runs and the closed-loop runs (the load generator is "bench"); nginx
     * is not one of the suite's processes, so its runs are left out.
     */
    private void cpuTable(StringBuilder md) {
        List<LoadResult> runs = new ArrayList<>();
        for (TargetResults target : targets.values()) {
            if (target.key().equals(BenchOptions.NGINX)) {
                continue;
            }
            target.at(Goals.REFERENCE_RATE).ifPresent(runs::add);
            target.closedLoop().ifPresent(runs::add);
        }
        if (runs.isEmpty()) {
            return;
        }
        List<String> processes = new ArrayList<>(runs.get(0).cpuCores().keySet());
        md.append("### CPU by process (cores, averaged over warm-up and measurement)\n\n")
                .append("The last column is the CPU time the suite (every process but the load generator, bench) spent per "
                        + "successful request.\n\n| run | ")
                .append(String.join(" | ", processes)).append(" | suite CPU ms per request |\n|---|");
        processes.forEach(process -> md.append("---|"));
        md.append("---|\n");
        for (LoadResult run : runs) {
            md.append("| ").append(run.target()).append(run.closedLoop() ? ", max" : ", " + count(run.offeredRate()) + "/s");
            processes.forEach(process -> md.append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", run.cpuCores().getOrDefault(process, 0.0))));
            md.append(" | ").append(millis(run.suiteCpuMillisPerRequest())).append(" |\n");
        }
        md.append('\n');
    }

    private void memoryTable(StringBuilder md) {
        md.append("### Memory and garbage collection\n\n");
        md.append("| process | RSS MiB after | peak RSS MiB | full collections (s) | young collections (s)"
                + " | JIT compiler CPU s |\n");
        md.append("|---|---|---|---|---|---|\n");
        memory.residentMiB().forEach((process, mib) -> {
            ServiceGc.Pauses pauses = memory.collections().get(process);
            md.append("| ").append(process).append(" | ").append(String.format(Locale.ROOT, "%.0f", mib)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f", memory.peakMiB().getOrDefault(process, Double.NaN)))
                    .append(" | ").append(pauses == null ? "" : count(pauses.full()) + " (" + millis(pauses.fullSeconds())
                            + ")")
                    .append(" | ").append(pauses == null ? "" : count(pauses.young()) + " ("
                            + millis(pauses.youngSeconds()) + ")")
                    .append(" | ").append(memory.compilerSeconds().containsKey(process)
                            ? millis(memory.compilerSeconds().get(process)) : "")
                    .append(" |\n");
        });
        md.append('\n');
    }

    private void goalsTable(StringBuilder md) {
        md.append("### Goals\n\n| goal | measured | status |\n|---|---|---|\n");
        goals.forEach(goal -> md.append("| ").append(goal.goal()).append(" | ").append(goal.measured()).append(" | ")
                .append(goal.status().label).append(" |\n"));
    }

    JsonObject toJson() {
        JsonArray targetsJson = new JsonArray();
        targets.values().forEach(target -> targetsJson.add(target.toJson()));
        JsonArray lineageJson = new JsonArray();
        lineage.forEach(lag -> lineageJson.add(lag.toJson()));
        JsonArray goalsJson = new JsonArray();
        goals.forEach(goal -> goalsJson.add(goal.toJson()));
        JsonObject collectionsJson = new JsonObject();
        memory.collections().forEach((service, pauses) -> collectionsJson.put(service, pauses.toJson()));
        return new JsonObject()
                .put("started_at", started.toString())
                .put("machine", machine.toJson().put("load_average_at_end", loadAverageAtEnd))
                .put("options", new JsonObject(options.describe()))
                .put("targets", targetsJson)
                .put("lineage_lag", lineageJson)
                .put("lineage_service", lineageRuns == null ? null : lineageRuns.toJson())
                .put("rss_mib", LoadResult.rounded(memory.residentMiB()))
                .put("peak_rss_mib", LoadResult.rounded(memory.peakMiB()))
                .put("collections", collectionsJson)
                .put("compiler_cpu_seconds", LoadResult.rounded(memory.compilerSeconds()))
                .put("goals", goalsJson);
    }

    /** Writes {@code <folder>/<yyyyMMdd-HHmmss>.json} (UTC start time) and returns its path. */
    Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE_TIME.format(started) + ".json");
        Files.writeString(file, toJson().encodePrettily() + "\n");
        return file;
    }

    static String errors(LoadResult result) {
        if (result.errors() == 0) {
            return "0";
        }
        List<String> parts = new ArrayList<>();
        result.problems().forEach((label, number) -> parts.add(label + " " + count(number)));
        return count(result.errors()) + " (" + String.join(", ", parts) + ")";
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** Two decimals below 10 ms, one below 100 ms, none above. */
    static String millis(double value) {
        if (Double.isNaN(value)) {
            return "—";
        }
        double magnitude = Math.abs(value);
        String format = magnitude < 10 ? "%.2f" : magnitude < 100 ? "%.1f" : "%,.0f";
        return String.format(Locale.ROOT, format, value);
    }

    private static String signed(double value) {
        return (value >= 0 ? "+" : "") + millis(value);
    }

    private static String ratio(LoadResult result, Optional<LoadResult> baseline) {
        if (baseline.isEmpty() || baseline.get() == result || baseline.get().throughput() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.3f", result.throughput() / baseline.get().throughput());
    }
}
