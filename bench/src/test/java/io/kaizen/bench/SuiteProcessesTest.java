package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteProcessesTest {

    @TempDir
    Path proc;

    @Test
    void aServiceCompilerTimeIsTheCpuOfItsCompilerThreadsAlone() throws IOException {
        thread(42, 1, "java", 500, 20);
        thread(42, 7, "C2 CompilerThre", 3_000, 91);
        thread(42, 8, "C1 CompilerThre", 400, 9);
        thread(42, 9, "vert.x-eventloo", 7_000, 300);
        // a command name with spaces and parentheses does not shift the fields read after it
        thread(42, 10, "C2 CompilerThre) (x", 10, 0);

        assertThat(SuiteProcesses.compilerTicks(proc, 42)).isEqualTo(3_000 + 91 + 400 + 9 + 10);
    }

    @Test
    void aProcessThatIsGoneHasNoCompilerTime() {
        assertThat(SuiteProcesses.compilerTicks(proc, 7)).isZero();
    }

    @Test
    void theCompilerTimeOfARunIsTheDifferenceOfTwoReadingsInSeconds() {
        Map<String, Double> seconds = SuiteProcesses.secondsBetween(Map.of("lineage-service", 1_000L),
                Map.of("lineage-service", 3_550L, "adapter-gateway", 80L));

        assertThat(seconds).containsEntry("lineage-service", 25.5).containsEntry("adapter-gateway", 0.0);
    }

    private void thread(long pid, long tid, String name, long userTicks, long systemTicks) throws IOException {
        Path task = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)));
        Files.writeString(task.resolve("comm"), name + "\n");
        Files.writeString(task.resolve("stat"), tid + " (" + name + ") S 1 1 1 0 -1 4194368 100 0 0 0 " + userTicks
                + " " + systemTicks + " 0 0 20 0 30 0 100 0 0\n");
    }
}
