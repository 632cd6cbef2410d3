package io.kaizen.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kaizen} builds what is not built yet or older than its sources, so a checkout that moved on never runs what
 * was built before it: its {@code outdated} function, run from the script itself.
 */
class KaizenScriptTest {

    @TempDir
    Path dir;

    @Test
    void anOutputIsOutdatedWhenMissingOrOlderThanAnyOfItsSources() throws Exception {
        Path output = dir.resolve("target/app.jar");
        Path sources = dir.resolve("src/main/java/a");
        Files.createDirectories(sources);
        Path source = Files.writeString(sources.resolve("A.java"), "class A {}");
        Path pom = Files.writeString(dir.resolve("pom.xml"), "<project/>");
        Instant now = Instant.now();
        age(source, now.minusSeconds(600));
        age(pom, now.minusSeconds(600));

        assertThat(outdated(output, sources.getParent(), pom)).as("not built").isTrue();

        Files.createDirectories(output.getParent());
        Files.writeString(output, "jar");
        age(output, now.minusSeconds(300));
        assertThat(outdated(output, sources.getParent(), pom)).as("built after every source").isFalse();

        age(source, now.minusSeconds(60));
        assertThat(outdated(output, sources.getParent(), pom)).as("a source edited since").isTrue();

        age(source, now.minusSeconds(600));
        age(pom, now.minusSeconds(60));
        assertThat(outdated(output, sources.getParent(), pom)).as("its pom edited since").isTrue();
    }

    private static void age(Path file, Instant modified) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    /** The script's {@code outdated}, sourced: the script runs nothing when sourced. */
    private static boolean outdated(Path output, Path... sources) throws Exception {
        StringBuilder command = new StringBuilder("source '" + script() + "' && outdated '" + output + "'");
        for (Path source : sources) {
            command.append(" '").append(source).append('\'');
        }
        Process bash = new ProcessBuilder("bash", "-c", command.toString()).redirectErrorStream(true).start();
        String printed = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as("exit status of outdated, printing: " + printed).isIn(0, 1);
        return bash.exitValue() == 0;
    }

    private static Path script() {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("deploy/devstack/src/main/resources/routes.txt"))) {
            root = root.getParent();
            assertThat(root).as("the repository's root above " + Path.of("").toAbsolutePath()).isNotNull();
        }
        return root.resolve("kaizen");
    }
}
