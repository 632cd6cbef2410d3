package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/** Each service's young and full collections, read from the Prometheus text a Quarkus service serves. */
class ServiceGcTest {

    private static final String METRICS = """
            # HELP jvm_gc_pause_seconds Time spent in GC pause
            # TYPE jvm_gc_pause_seconds summary
            jvm_gc_pause_seconds_count{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 821.0
            jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 3.941
            jvm_gc_pause_seconds_count{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} 20.0
            jvm_gc_pause_seconds_sum{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} 2.5
            jvm_gc_pause_seconds_count{action="end of major GC",cause="System.gc()",gc="MarkSweepCompact"} 2.0 1733443200000
            jvm_gc_pause_seconds_count{action="end of minor GC",cause="unreadable",gc="Copy"} NaNish
            jvm_gc_pause_seconds_sum{action="end of major GC",cause="System.gc()",gc="MarkSweepCompact"} 0.259
            # HELP jvm_gc_pause_seconds_max Time spent in GC pause
            # TYPE jvm_gc_pause_seconds_max gauge
            jvm_gc_pause_seconds_max{action="end of major GC",cause="Allocation Failure",gc="MarkSweepCompact"} 0.3
            jvm_gc_memory_promoted_bytes_total 1.0E9
            """;

    @Test
    void sumsEveryCollectorAndCauseIntoYoungAndFull() {
        ServiceGc.Pauses pauses = ServiceGc.parse(METRICS);

        assertThat(pauses.young()).isEqualTo(821);
        assertThat(pauses.youngSeconds()).isCloseTo(3.941, within(1e-9));
        assertThat(pauses.full()).isEqualTo(22);
        assertThat(pauses.fullSeconds()).isCloseTo(2.759, within(1e-9));
    }

    @Test
    void theDifferenceOfTwoReadingsIsWhatHappenedBetweenThem() {
        ServiceGc.Pauses before = new ServiceGc.Pauses(40, 0.5, 6, 0.8);

        ServiceGc.Pauses during = ServiceGc.parse(METRICS).minus(before);

        assertThat(during.young()).isEqualTo(781);
        assertThat(during.full()).isEqualTo(16);
        assertThat(during.fullSeconds()).isCloseTo(1.959, within(1e-9));
    }

    @Test
    void theReportShowsEachProcessPeakMemoryAndEachServiceCollections() {
        Map<String, Double> resident = new LinkedHashMap<>();
        resident.put("governance-service", 291.4);
        resident.put("kafka", 237.0);
        BenchReport.Memory memory = new BenchReport.Memory(resident,
                Map.of("governance-service", 300.2, "kafka", 240.0),
                Map.of("governance-service", new ServiceGc.Pauses(1_845, 7.399, 34, 3.9)),
                Map.of("governance-service", 12.34));
        BenchOptions options = BenchOptions.parse(List.of("targets=sink"), Path.of("/project"));
        BenchReport report = new BenchReport(Instant.EPOCH, new Machine(2, 24, "OpenJDK 17", "Linux", "1.00"),
                options, new LinkedHashMap<>(), List.of(), null, memory, "1.00", List.of());

        assertThat(report.markdown()).contains("| governance-service | 291 | 300 | 34 (3.90) | 1,845 (7.40) | 12.3 |\n")
                .contains("| kafka | 237 | 240 |  |  |  |\n");
        assertThat(report.toJson().getJsonObject("collections").getJsonObject("governance-service").getLong("full"))
                .isEqualTo(34L);
        assertThat(report.toJson().getJsonObject("peak_rss_mib").getDouble("governance-service")).isEqualTo(300.2);
        assertThat(report.toJson().getJsonObject("compiler_cpu_seconds").getDouble("governance-service"))
                .isEqualTo(12.34);
    }

    @Test
    void readsEachServiceOverHttpAndLeavesOutOneThatDoesNotAnswer() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                if (request.path().equals("/q/metrics")) {
                    request.response().putHeader("content-type", "text/plain").end(METRICS);
                } else {
                    request.response().setStatusCode(404).end();
                }
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
            Map<String, URI> services = new LinkedHashMap<>();
            services.put("governance-service", URI.create("http://127.0.0.1:" + server.actualPort()));
            services.put("lineage-service", URI.create("http://127.0.0.1:1"));

            Map<String, ServiceGc.Pauses> read = ServiceGc.read(services);

            assertThat(read).containsOnlyKeys("governance-service");
            assertThat(read.get("governance-service").full()).isEqualTo(22);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
