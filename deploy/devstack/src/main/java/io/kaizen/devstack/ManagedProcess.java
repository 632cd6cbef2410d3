package io.kaizen.devstack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child process with its output in a log file, a pid file for the next run's clean-up, an {@link OrphanGuard},
 * and a stop that asks first (SIGTERM) and kills after a grace period.
 */
final class ManagedProcess {

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Path pidFile;
    private final OrphanGuard guard;

    private ManagedProcess(String name, Process process, Path logFile, Path pidFile, OrphanGuard guard) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.pidFile = pidFile;
        this.guard = guard;
    }

    /**
     * @param pidFile written with the child's pid; null for none
     */
    static ManagedProcess start(String name, List<String> command, Map<String, String> environment, Path logFile, Path pidFile) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "=== " + Instant.now() + " starting " + name + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()));
            builder.environment().putAll(environment);
            Process process = startRetryingBusyExecutable(builder);
            if (pidFile != null) {
                Files.createDirectories(pidFile.getParent());
                Files.writeString(pidFile, Long.toString(process.pid()), StandardCharsets.UTF_8);
            }
            return new ManagedProcess(name, process, logFile, pidFile, OrphanGuard.watch(process.pid(), "TERM"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command.get(0), e);
        }
    }

    /**
     * A freshly extracted binary (embedded Redis) can still be open for writing in a child that another thread is
     * forking at that moment (PostgreSQL and Kafka start in parallel), and exec then fails with ETXTBSY until that
     * child has exec'd. The window is milliseconds, so try again briefly.
     */
    private static Process startRetryingBusyExecutable(ProcessBuilder builder) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return builder.start();
            } catch (IOException e) {
                if (attempt >= 50 || e.getMessage() == null || !e.getMessage().contains("Text file busy")) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path logFile() {
        return logFile;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns once the process is gone. */
    void stop(Duration grace) {
        guard.release();
        terminate(process.toHandle(), grace);
        // the handle's exit future can complete a moment before the Process learns of the exit: wait for the
        // Process itself, so isAlive() is false once stop returns
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (pidFile != null) {
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** SIGKILL at once, as a crash would end the process; returns once it is gone. */
    void kill() {
        guard.release();
        process.destroyForcibly();
        try {
            process.toHandle().onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(name + " survived SIGKILL for 10 s", e);
        }
    }

    /** The last lines of the log, for error messages. */
    String tail(int lines) {
        return tail(logFile, lines);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    static void terminate(ProcessHandle handle, Duration grace) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            handle.destroyForcibly();
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // a process that survives SIGKILL for 10 s is beyond what we can do here
            }
        }
    }

    /**
     * Stops a process a previous, dead run left behind, known by its pid file and a word of its command line
     * (so a recycled pid of an unrelated process is never touched).
     */
    static void stopLeftover(Path pidFile, String commandMarker, String signal, Duration grace) {
        readPid(pidFile).flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(handle -> commandLine(handle).contains(commandMarker))
                .ifPresent(handle -> {
                    signal(handle.pid(), signal);
                    try {
                        handle.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        handle.destroyForcibly();
                    }
                });
    }

    static Optional<Long> readPid(Path pidFile) {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    static String commandLine(ProcessHandle handle) {
        ProcessHandle.Info info = handle.info();
        return info.command().orElse("") + " " + info.arguments().map(args -> String.join(" ", args)).orElse("");
    }

    static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "(no log at " + file + ")";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - 64 * 1024);
            byte[] bytes = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }
}
