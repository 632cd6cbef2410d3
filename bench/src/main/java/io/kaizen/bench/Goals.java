package io.kaizen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vertx.core.json.JsonObject;

/**
 * The goals of the fast invoke path (issue 8), checked against one benchmark run; the governed invoke of each
 * messaging platform against its emulator is held to the same goals at the highest of {@code platform-rates}.
 */
final class Goals {

    static final int REFERENCE_RATE = 500;
    static final int DECISION_RATE = 10_000;
    static final double ADDED_P50_MS = 2;
    static final double ADDED_P99_MS = 10;
    static final double SHARE_OF_NGINX = 0.25;
    static final double DECISION_P99_MS = 5;
    static final double LINEAGE_P99_MS = 1000;
    static final double RSS_MIB = 256;
    static final int LINEAGE_INGEST_PER_SECOND = 5_000;
    static final int LINEAGE_LAG_RATE = 1_000;
    static final int LINEAGE_EXPORT_ROWS = 100_000;
    static final double LINEAGE_EXPORT_SECONDS = 5;
    /** An export in constant memory: the lineage service grows by less than this while it streams. */
    static final double LINEAGE_EXPORT_GROWTH_MIB = 64;

    enum Status {
        MET("met"), NOT_MET("**not met**"), NOT_MEASURED("not measured");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    record Goal(String goal, String measured, Status status) {
        JsonObject toJson() {
            return new JsonObject().put("goal", goal).put("measured", measured).put("status", status.name());
        }
    }

    private final BenchOptions options;
    private final Map<String, TargetResults> targets;
    private final List<LineageLag.Result> lineage;
    private final LineageBench.Result lineageRuns;
    private final Map<String, Double> residentMiB;
    private final List<String> services;

    private Goals(BenchOptions options, Map<String, TargetResults> targets, List<LineageLag.Result> lineage,
            LineageBench.Result lineageRuns, Map<String, Double> residentMiB, List<String> services) {
        this.options = options;
        this.targets = targets;
        this.lineage = lineage;
        this.lineageRuns = lineageRuns;
        this.residentMiB = residentMiB;
        this.services = services;
    }

    static List<Goal> check(BenchOptions options, Map<String, TargetResults> targets, List<LineageLag.Result> lineage,
            LineageBench.Result lineageRuns, Map<String, Double> residentMiB, List<String> services) {
        return new Goals(options, targets, lineage, lineageRuns, residentMiB, services).all();
    }

    private List<Goal> all() {
        List<Goal> goals = new ArrayList<>();
        for (String invoke : List.of(BenchOptions.INVOKE_ONE, BenchOptions.INVOKE_MANY)) {
            goals.add(everythingAnswered(invoke, REFERENCE_RATE));
            goals.add(addedLatency(invoke, REFERENCE_RATE));
            goals.add(shareOfNginx(invoke));
        }
        int platformRate = options.platformRates().stream().max(Integer::compare).orElseThrow();
        for (String platform : BenchOptions.PLATFORMS) {
            goals.add(everythingAnswered(BenchOptions.platformTarget(platform), platformRate));
            goals.add(addedLatency(BenchOptions.platformTarget(platform), platformRate));
        }
        goals.add(decisions(BenchOptions.DECISION_ONE));
        goals.add(decisions(BenchOptions.DECISION_MANY));
        goals.add(lineageLag());
        goals.addAll(lineageService());
        goals.add(memory());
        return goals;
    }

    private Goal everythingAnswered(String key, int rate) {
        String goal = name(key) + ": " + BenchReport.count(rate) + "/s offered, all answered, no errors";
        return run(key, rate).map(missing -> missing.with(goal)).orElseGet(() -> {
            LoadResult result = targets.get(key).at(rate).orElseThrow();
            String measured = String.format("%s answered of %s, %s/s achieved, %s", BenchReport.count(result.ok()),
                    BenchReport.count(result.sent()), BenchReport.count(Math.round(result.throughput())),
                    BenchReport.errors(result));
            return new Goal(goal, measured, result.errors() == 0 ? Status.MET : Status.NOT_MET);
        });
    }

    private Goal addedLatency(String key, int rate) {
        String goal = name(key) + ": added latency vs the sink at " + BenchReport.count(rate) + "/s ≤ "
                + BenchReport.millis(ADDED_P50_MS) + " ms p50, ≤ " + BenchReport.millis(ADDED_P99_MS) + " ms p99";
        Optional<Missing> missing = run(key, rate).or(() -> run(BenchOptions.SINK, rate));
        if (missing.isPresent()) {
            return missing.get().with(goal);
        }
        LoadResult governed = targets.get(key).at(rate).orElseThrow();
        LoadResult sink = targets.get(BenchOptions.SINK).at(rate).orElseThrow();
        double p50 = governed.percentileMillis(50) - sink.percentileMillis(50);
        double p99 = governed.percentileMillis(99) - sink.percentileMillis(99);
        return new Goal(goal, "+" + BenchReport.millis(p50) + " ms p50, +" + BenchReport.millis(p99) + " ms p99",
                p50 <= ADDED_P50_MS && p99 <= ADDED_P99_MS ? Status.MET : Status.NOT_MET);
    }

    private Goal shareOfNginx(String key) {
        String goal = name(key) + ": maximum throughput ≥ 1/4 of nginx limit_req";
        TargetResults nginx = targets.get(BenchOptions.NGINX);
        if (nginx == null || nginx.closedLoop().isEmpty()) {
            return new Goal(goal, nginx == null ? "nginx not run" : nginx.absence().orElse("nginx not run"),
                    Status.NOT_MEASURED);
        }
        Optional<LoadResult> governed = Optional.ofNullable(targets.get(key)).flatMap(TargetResults::closedLoop);
        if (governed.isEmpty()) {
            return new Goal(goal, name(key) + " not run", Status.NOT_MEASURED);
        }
        double share = governed.get().throughput() / nginx.closedLoop().get().throughput();
        return new Goal(goal, String.format("%s/s vs %s/s = %.3f", BenchReport.count(Math.round(governed.get().throughput())),
                BenchReport.count(Math.round(nginx.closedLoop().get().throughput())), share),
                share >= SHARE_OF_NGINX ? Status.MET : Status.NOT_MET);
    }

    private Goal decisions(String key) {
        String goal = name(key) + ": " + BenchReport.count(DECISION_RATE) + "/s, no errors, p99 ≤ "
                + BenchReport.millis(DECISION_P99_MS) + " ms";
        return run(key, DECISION_RATE).map(missing -> missing.with(goal)).orElseGet(() -> {
            LoadResult result = targets.get(key).at(DECISION_RATE).orElseThrow();
            String measured = String.format("%s/s achieved, p99 %s ms, %s",
                    BenchReport.count(Math.round(result.throughput())), BenchReport.millis(result.percentileMillis(99)),
                    BenchReport.errors(result));
            return new Goal(goal, measured,
                    result.errors() == 0 && result.percentileMillis(99) <= DECISION_P99_MS ? Status.MET : Status.NOT_MET);
        });
    }

    private Goal lineageLag() {
        String goal = "lineage lag at " + REFERENCE_RATE + "/s ≤ 1 s p99, every sampled row seen";
        Optional<LineageLag.Result> sampled = lineage.stream().filter(lag -> lag.offeredRate() == REFERENCE_RATE).findFirst();
        if (sampled.isEmpty()) {
            return run(BenchOptions.INVOKE_MANY, REFERENCE_RATE).map(missing -> missing.with(goal))
                    .orElse(new Goal(goal, "not sampled", Status.NOT_MEASURED));
        }
        LineageLag.Result lag = sampled.get();
        String measured = String.format("p50 %s ms, p99 %s ms over %d samples, %d without a row",
                BenchReport.millis(lag.percentileMillis(50)), BenchReport.millis(lag.percentileMillis(99)),
                lag.samples(), lag.missing());
        return new Goal(goal, measured, lag.missing() == 0 && lag.samples() > 0
                && lag.percentileMillis(99) <= LINEAGE_P99_MS ? Status.MET : Status.NOT_MET);
    }

    /** The lineage service's own goals (issue 10): ingest rate, lag at 1,000 events/s, export of 100,000 rows. */
    private List<Goal> lineageService() {
        String ingest = "lineage ingest ≥ " + BenchReport.count(LINEAGE_INGEST_PER_SECOND) + " events/s";
        String lag = "lineage lag at " + BenchReport.count(LINEAGE_LAG_RATE) + " events/s ≤ 1 s p99, every sampled row seen";
        String export = "lineage export of " + BenchReport.count(LINEAGE_EXPORT_ROWS) + " rows ≤ "
                + BenchReport.millis(LINEAGE_EXPORT_SECONDS) + " s, lineage-service growing < "
                + Math.round(LINEAGE_EXPORT_GROWTH_MIB) + " MiB";
        if (lineageRuns == null) {
            String why = name(BenchOptions.LINEAGE) + " not run";
            return List.of(new Goal(ingest, why, Status.NOT_MEASURED), new Goal(lag, why, Status.NOT_MEASURED),
                    new Goal(export, why, Status.NOT_MEASURED));
        }
        LineageBench.Result runs = lineageRuns;
        Goal ingestGoal = new Goal(ingest, String.format("%s events/s over %s events%s",
                BenchReport.count(Math.round(runs.ingestRate())), BenchReport.count(runs.events()),
                runs.ingestComplete() ? "" : ", only " + BenchReport.count(runs.rows()) + " rows"),
                runs.ingestComplete() && runs.ingestRate() >= LINEAGE_INGEST_PER_SECOND ? Status.MET : Status.NOT_MET);
        LineageLag.Result sampled = runs.lag();
        Goal lagGoal = runs.lagRate() < LINEAGE_LAG_RATE
                ? new Goal(lag, "run at " + BenchReport.count(runs.lagRate()) + " events/s", Status.NOT_MEASURED)
                : new Goal(lag, String.format("p50 %s ms, p99 %s ms over %d samples, %d without a row",
                        BenchReport.millis(sampled.percentileMillis(50)), BenchReport.millis(sampled.percentileMillis(99)),
                        sampled.samples(), sampled.missing()),
                        sampled.missing() == 0 && sampled.samples() > 0
                                && sampled.percentileMillis(99) <= LINEAGE_P99_MS ? Status.MET : Status.NOT_MET);
        LineageBench.Export exported = runs.export();
        String measured = String.format("%s rows in %s s, +%s MiB%s", BenchReport.count(exported.rows()),
                BenchReport.millis(exported.seconds()), BenchReport.millis(exported.rssGrowth()),
                exported.problem() == null ? "" : ", " + exported.problem());
        Goal exportGoal = exported.rows() < LINEAGE_EXPORT_ROWS
                ? new Goal(export, measured + " (fewer rows than the goal's)", exported.problem() == null
                        ? Status.NOT_MEASURED : Status.NOT_MET)
                : new Goal(export, measured, exported.problem() == null && exported.seconds() <= LINEAGE_EXPORT_SECONDS
                        && exported.rssGrowth() < LINEAGE_EXPORT_GROWTH_MIB ? Status.MET : Status.NOT_MET);
        return List.of(ingestGoal, lagGoal, exportGoal);
    }

    private Goal memory() {
        String goal = "every service ≤ " + Math.round(RSS_MIB) + " MiB RSS after the benchmark";
        List<String> over = new ArrayList<>();
        double largest = 0;
        String largestName = "none";
        for (String service : services) {
            Double mib = residentMiB.get(service);
            if (mib == null) {
                return new Goal(goal, service + " not found", Status.NOT_MEASURED);
            }
            if (mib > RSS_MIB) {
                over.add(service);
            }
            if (mib > largest) {
                largest = mib;
                largestName = service;
            }
        }
        String measured = String.format("largest %s %.0f MiB%s", largestName, largest,
                over.isEmpty() ? "" : "; over: " + String.join(", ", over));
        return new Goal(goal, measured, over.isEmpty() ? Status.MET : Status.NOT_MET);
    }

    /** Why the run of {@code key} at {@code rate} has no result, when it has none. */
    private Optional<Missing> run(String key, int rate) {
        TargetResults target = targets.get(key);
        if (target == null) {
            return Optional.of(new Missing(name(key) + " not run", Status.NOT_MEASURED));
        }
        if (target.at(rate).isPresent()) {
            return Optional.empty();
        }
        Optional<String> why = target.whyNotRun(rate);
        if (why.isPresent() && target.absence().isEmpty()) {
            return Optional.of(new Missing(why.get(), Status.NOT_MET));
        }
        return Optional.of(new Missing(why.orElse(BenchReport.count(rate) + "/s not among the rates"), Status.NOT_MEASURED));
    }

    private record Missing(String measured, Status status) {
        Goal with(String goal) {
            return new Goal(goal, measured, status);
        }
    }

    private String name(String key) {
        return options.targetName(key);
    }
}
