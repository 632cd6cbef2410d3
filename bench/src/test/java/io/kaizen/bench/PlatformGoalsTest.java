package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The platform rows of the report and their goals, from measured runs: compared with the sink at the same rate. */
class PlatformGoalsTest {

    private final BenchOptions options = BenchOptions.parse(
            List.of("rates=100", "targets=sink,invoke-slack,invoke-discord"), Path.of("/project"));
    private final Map<String, TargetResults> results = new LinkedHashMap<>();

    PlatformGoalsTest() {
        results.put(BenchOptions.SINK, target(BenchOptions.SINK,
                run("sink called directly", 0, Map.of(), 400, 3_000)));
        results.put("invoke-slack", target("invoke-slack",
                run("governed invoke, slack emulator", 0, Map.of(), 1_500, 8_000)));
        results.put("invoke-discord", target("invoke-discord", run("governed invoke, discord emulator", 3,
                Map.of("HTTP 502, agent answered 400", 3L), 30_000, 90_000)));
    }

    @Test
    void aPlatformWithinTheFastPathsMarginsMeetsItsGoals() {
        Map<String, Goals.Goal> goals = goals();

        assertThat(goals.get("governed invoke, slack emulator: 100/s offered, all answered, no errors").status())
                .isEqualTo(Goals.Status.MET);
        Goals.Goal latency = goals.get("governed invoke, slack emulator: added latency vs the sink at 100/s "
                + "≤ 2.00 ms p50, ≤ 10.0 ms p99");
        assertThat(latency.status()).isEqualTo(Goals.Status.MET);
        assertThat(latency.measured()).isEqualTo("+1.10 ms p50, +5.00 ms p99");
    }

    @Test
    void aPlatformThatRefusedCallsOrAddedTooMuchDoesNotMeetThem() {
        Map<String, Goals.Goal> goals = goals();

        Goals.Goal answered = goals.get("governed invoke, discord emulator: 100/s offered, all answered, no errors");
        assertThat(answered.status()).isEqualTo(Goals.Status.NOT_MET);
        assertThat(answered.measured()).contains("3 (HTTP 502, agent answered 400 3)");
        assertThat(goals.get("governed invoke, discord emulator: added latency vs the sink at 100/s ≤ 2.00 ms p50, "
                + "≤ 10.0 ms p99").status()).isEqualTo(Goals.Status.NOT_MET);
        assertThat(goals.get("governed invoke, notion emulator: 100/s offered, all answered, no errors").status())
                .isEqualTo(Goals.Status.NOT_MEASURED);
    }

    @Test
    void aPlatformHasAnOpenLoopRowAgainstTheSinkAndNoClosedLoopRow() {
        String markdown = new BenchReport(Instant.EPOCH, new Machine(2, 24, "OpenJDK 17", "Linux", "1.00"), options,
                results, List.of(), null, new BenchReport.Memory(Map.of(), Map.of(), Map.of(), Map.of()), "1.00",
                List.copyOf(goals().values())).markdown();

        assertThat(markdown).contains("| governed invoke, discord emulator | 100/s | 100/s | 30.0 | 30.0 | 90.0 | "
                + "3 (HTTP 502, agent answered 400 3) | +29.6 / +87.0 ms |");
        String closedLoop = markdown.substring(markdown.indexOf("### Closed loop"), markdown.indexOf("### Memory"));
        assertThat(closedLoop).doesNotContain("emulator");
    }

    private Map<String, Goals.Goal> goals() {
        Map<String, Goals.Goal> byName = new LinkedHashMap<>();
        Goals.check(options, results, List.of(), null, Map.of(), List.of())
                .forEach(goal -> byName.put(goal.goal(), goal));
        return byName;
    }

    private static TargetResults target(String key, LoadResult result) {
        TargetResults target = new TargetResults(key, result.target());
        target.add(result);
        return target;
    }

    /** 1,000 calls at 100/s over 10 s: half answered at {@code p50Micros}, the slowest at {@code p99Micros}. */
    private static LoadResult run(String target, int errors, Map<String, Long> problems, long p50Micros,
            long p99Micros) {
        Histogram latency = new Histogram(3);
        long ok = 1_000 - errors;
        for (long i = 0; i < ok; i++) {
            latency.recordValue(i < ok * 0.98 ? p50Micros : p99Micros);
        }
        return new LoadResult(target, 100, 64, 10, 1_000, ok, problems, latency, 0, Map.of(), null);
    }
}
