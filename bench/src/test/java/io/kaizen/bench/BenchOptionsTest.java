package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static final Path ROOT = Path.of("/project");

    @Test
    void byDefaultEveryPlatformRunsOnceAtTheLowestRateForAShortWhile() {
        BenchOptions options = BenchOptions.parse(List.of(), ROOT);

        assertThat(options.platformsRun()).containsExactly("slack", "discord", "teams", "telegram", "notion");
        assertThat(options.targets()).contains("invoke-slack", "invoke-discord", "invoke-teams", "invoke-telegram",
                "invoke-notion");
        assertThat(options.platformRates()).containsExactly(100);
        assertThat(options.platformMeasure()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.targetName("invoke-telegram")).isEqualTo("governed invoke, telegram emulator");
        assertThat(options.describe()).containsEntry("platform_rates", List.of(100))
                .containsEntry("platform_seconds", 5L);
    }

    @Test
    void quickShortensThePlatformRunsAndOptionsAfterItWin() {
        assertThat(BenchOptions.parse(List.of("quick"), ROOT).platformMeasure()).isEqualTo(Duration.ofSeconds(3));
        assertThat(BenchOptions.parse(List.of("quick", "platform-seconds=7"), ROOT).platformMeasure())
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theSinkAlsoRunsThePlatformRatesSoEveryPlatformHasItsBaseline() {
        BenchOptions options = BenchOptions.parse(List.of("rates=250,500", "platform-rates=100"), ROOT);

        assertThat(options.sinkRates()).containsExactly(100, 250, 500);
        assertThat(BenchOptions.parse(List.of("rates=250,500", "platform-rates=100", "targets=sink,invoke-1"), ROOT)
                .sinkRates()).containsExactly(250, 500);
    }

    @Test
    void theSuiteIsWarmedForFiveMinutesUnlessToldOtherwise() {
        assertThat(BenchOptions.parse(List.of(), ROOT).suiteWarmup()).isEqualTo(Duration.ofMinutes(5));
        assertThat(BenchOptions.parse(List.of("quick"), ROOT).suiteWarmup()).isEqualTo(Duration.ofSeconds(10));
        assertThat(BenchOptions.parse(List.of("suite-warmup=0"), ROOT).suiteWarmup()).isZero();
        assertThat(BenchOptions.parse(List.of("suite-warmup=0"), ROOT).describe())
                .containsEntry("suite_warmup_seconds", 0L);
        assertThatThrownBy(() -> BenchOptions.parse(List.of("suite-warmup=-1"), ROOT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("suite-warmup must be a whole number, zero or more");
    }

    @Test
    void theLineageServiceIsWarmedWithTwentyThousandEventsUnlessToldOtherwise() {
        assertThat(BenchOptions.parse(List.of(), ROOT).lineageWarmup()).isEqualTo(20_000);
        assertThat(BenchOptions.parse(List.of("quick"), ROOT).lineageWarmup()).isEqualTo(1_000);
        assertThat(BenchOptions.parse(List.of("lineage-warmup=0"), ROOT).describe())
                .containsEntry("lineage_warmup_events", 0);
        assertThatThrownBy(() -> BenchOptions.parse(List.of("lineage-warmup=-5"), ROOT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lineage-warmup must be a whole number, zero or more");
    }

    @Test
    void aPlatformWithoutAnEmulatorIsNotATarget() {
        assertThatThrownBy(() -> BenchOptions.parse(List.of("targets=sink,invoke-myspace"), ROOT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown target 'invoke-myspace'");
    }
}
