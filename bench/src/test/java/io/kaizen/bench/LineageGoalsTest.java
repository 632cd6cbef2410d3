package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The lineage service's goals (ingest rate, lag at 1,000 events/s, export of 100,000 rows) from measured runs. */
class LineageGoalsTest {

    private final BenchOptions options = BenchOptions.parse(List.of("targets=lineage"), Path.of("/project"));

    @Test
    void runsWithinTheTargetsMeetEveryLineageGoal() {
        Map<String, Goals.Goal> goals = goals(runs(100_000, 10.0, 1_000, 400_000,
                new LineageBench.Export(100_000, 80_000_000, 3.2, 180, 200, null)));

        assertThat(goals.get("lineage ingest ≥ 5,000 events/s").status()).isEqualTo(Goals.Status.MET);
        assertThat(goals.get("lineage ingest ≥ 5,000 events/s").measured())
                .isEqualTo("10,000 events/s over 100,000 events");
        assertThat(goals.get("lineage lag at 1,000 events/s ≤ 1 s p99, every sampled row seen").status())
                .isEqualTo(Goals.Status.MET);
        assertThat(goals.get(exportGoal()).status()).isEqualTo(Goals.Status.MET);
    }

    @Test
    void aSlowIngestALateRowOrAnExportThatGrowsTheServiceIsNotMet() {
        Map<String, Goals.Goal> goals = goals(runs(100_000, 40.0, 1_000, 1_500_000,
                new LineageBench.Export(100_000, 80_000_000, 3.2, 180, 400, null)));

        assertThat(goals.get("lineage ingest ≥ 5,000 events/s").status()).isEqualTo(Goals.Status.NOT_MET);
        assertThat(goals.get("lineage lag at 1,000 events/s ≤ 1 s p99, every sampled row seen").status())
                .isEqualTo(Goals.Status.NOT_MET);
        assertThat(goals.get(exportGoal()).status()).isEqualTo(Goals.Status.NOT_MET);
        assertThat(goals.get(exportGoal()).measured()).isEqualTo("100,000 rows in 3.20 s, +220 MiB");
    }

    @Test
    void aSmallerRunIsNotMeasuredAgainstTheGoalsSizes() {
        Map<String, Goals.Goal> goals = goals(runs(5_000, 0.5, 200, 100_000,
                new LineageBench.Export(5_000, 4_000_000, 0.2, 180, 181, null)));

        assertThat(goals.get("lineage lag at 1,000 events/s ≤ 1 s p99, every sampled row seen").status())
                .isEqualTo(Goals.Status.NOT_MEASURED);
        assertThat(goals.get(exportGoal()).status()).isEqualTo(Goals.Status.NOT_MEASURED);
    }

    @Test
    void theReportShowsTheRunsAndTheirJson() {
        LineageBench.Result runs = runs(100_000, 10.0, 1_000, 400_000,
                new LineageBench.Export(100_000, 80_000_000, 3.2, 180, 200, null));
        BenchReport report = new BenchReport(Instant.EPOCH, new Machine(2, 24, "OpenJDK 17", "Linux", "1.00"),
                options, new LinkedHashMap<>(), List.of(), runs, new BenchReport.Memory(Map.of(), Map.of(), Map.of(), Map.of()), "1.00",
                Goals.check(options, new LinkedHashMap<>(), List.of(), runs, Map.of(), List.of()));

        assertThat(report.markdown()).contains("| ingest, 100,000 events as fast as Kafka takes them | 10,000 events/s");
        assertThat(report.toJson().getJsonObject("lineage_service").getLong("rows")).isEqualTo(100_000L);
    }

    private String exportGoal() {
        return "lineage export of 100,000 rows ≤ 5.00 s, lineage-service growing < 64 MiB";
    }

    private Map<String, Goals.Goal> goals(LineageBench.Result runs) {
        Map<String, Goals.Goal> byName = new LinkedHashMap<>();
        Goals.check(options, new LinkedHashMap<>(), List.of(), runs, Map.of(), List.of())
                .forEach(goal -> byName.put(goal.goal(), goal));
        return byName;
    }

    private static LineageBench.Result runs(int events, double seconds, int lagRate, long lagP99Micros,
            LineageBench.Export export) {
        Histogram lag = new Histogram(3);
        for (int i = 0; i < 99; i++) {
            lag.recordValue(200_000);
        }
        lag.recordValue(lagP99Micros);
        lag.recordValue(lagP99Micros);
        return new LineageBench.Result("org_bench_lineage_1", events, 0, seconds, events,
                Map.of("lineage-service", 0.9), lagRate, new LineageLag.Result(lagRate, 101, 0, Map.of(), lag), export);
    }
}
