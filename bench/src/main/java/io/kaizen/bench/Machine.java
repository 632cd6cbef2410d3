package io.kaizen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.vertx.core.json.JsonObject;

/** The machine a benchmark ran on; the load average tells whether other work shared it. */
record Machine(int cores, double memoryGib, String java, String os, String loadAverage) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), totalMemoryGib(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                loadAverageNow());
    }

    /** The 1, 5 and 15 minute load averages. */
    static String loadAverageNow() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    String summary() {
        return String.format("%d cores, %.1f GiB, %s, %s; load average at the start %s", cores, memoryGib, java, os,
                loadAverage);
    }

    JsonObject toJson() {
        return new JsonObject().put("cores", cores).put("memory_gib", LoadResult.round(memoryGib)).put("java", java)
                .put("os", os).put("load_average_at_start", loadAverage);
    }

    private static double totalMemoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown below
        }
        return Double.NaN;
    }
}
