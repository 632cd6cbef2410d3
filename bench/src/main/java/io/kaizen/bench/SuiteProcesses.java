package io.kaizen.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;

/**
 * The processes of {@code ./kaizen up} on this machine, read from Linux's {@code /proc}: each packaged service,
 * known by its {@code <module>/target/quarkus-app/quarkus-run.jar} on the command line; the devstack process
 * (which runs the router and the sink); the Kafka broker, Redis and PostgreSQL below it; and this benchmark's own
 * process, the load generator. Reads their resident memory and CPU time.
 */
final class SuiteProcesses {

    static final String DEVSTACK = "devstack";
    static final String KAFKA = "kafka";
    static final String REDIS = "redis";
    static final String POSTGRES = "postgres";
    static final String LOAD_GENERATOR = "bench";

    private static final double CLOCK_TICKS_PER_SECOND = 100;
    private static final Path PROC = Path.of("/proc");
    private static final String RESIDENT = "VmRSS:";
    private static final String PEAK_RESIDENT = "VmHWM:";

    private final Map<String, Long> pids;

    private SuiteProcesses(Map<String, Long> pids) {
        this.pids = pids;
    }

    /** The processes of the suite whose devstack process is {@code stackPid}. */
    static SuiteProcesses find(long stackPid, ProjectLayout layout) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            String jar = layout.serviceJar(service).toString();
            firstProcess(ProcessHandle.allProcesses().toList(), jar).ifPresent(pid -> pids.put(service.module(), pid));
        }
        pids.put(DEVSTACK, stackPid);
        List<ProcessHandle> below = ProcessHandle.of(stackPid).map(stack -> stack.descendants().toList()).orElse(List.of());
        firstProcess(below, "KafkaBrokerMain").ifPresent(pid -> pids.put(KAFKA, pid));
        firstProcess(below, "redis-server").ifPresent(pid -> pids.put(REDIS, pid));
        // the postmaster runs from the stack's data folder; its backends are its children
        String dataFolder = layout.localStackRoot().toString();
        ProcessHandle.allProcesses().filter(process -> {
            String command = commandLine(process.pid());
            return command.contains("bin/postgres") && command.contains(dataFolder);
        }).findFirst().ifPresent(process -> pids.put(POSTGRES, process.pid()));
        pids.put(LOAD_GENERATOR, ProcessHandle.current().pid());
        return new SuiteProcesses(Collections.unmodifiableMap(pids));
    }

    /** Resident memory (VmRSS) in MiB of the services, the devstack process and the broker; absent when gone. */
    Map<String, Double> residentMiB() {
        return memoryMiB(RESIDENT);
    }

    /** The most each process has had resident since it started (VmHWM), in MiB; absent when gone. */
    Map<String, Double> peakResidentMiB() {
        return memoryMiB(PEAK_RESIDENT);
    }

    /** The resident memory of one process now, in MiB, or NaN when it is not running. */
    double residentMiB(String name) {
        OptionalLong kib = statusKib(name, RESIDENT);
        return kib.isPresent() ? kib.getAsLong() / 1024.0 : Double.NaN;
    }

    private Map<String, Double> memoryMiB(String field) {
        Map<String, Double> memory = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Service service : Service.values()) {
            names.add(service.module());
        }
        names.addAll(List.of(DEVSTACK, KAFKA, REDIS, POSTGRES));
        for (String name : names) {
            statusKib(name, field).ifPresent(kib -> memory.put(name, kib / 1024.0));
        }
        return memory;
    }

    /** CPU time so far per process, in clock ticks (PostgreSQL: the postmaster and its current backends). */
    Map<String, Long> cpuTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long total = ticks(pid);
            if (name.equals(POSTGRES)) {
                total += ProcessHandle.of(pid).map(postmaster -> postmaster.children()
                        .mapToLong(child -> ticks(child.pid())).sum()).orElse(0L);
            }
            ticks.put(name, total);
        });
        return ticks;
    }

    /**
     * CPU time so far of each service's JIT compiler threads ({@code C1 CompilerThre}, {@code C2 CompilerThre}), in
     * clock ticks: code being compiled (or compiled again) takes this much from the cores the services share, which is
     * why a service minutes old is slower than one that has run for a while.
     */
    Map<String, Long> compilerTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            Long pid = pids.get(service.module());
            if (pid != null) {
                ticks.put(service.module(), compilerTicks(PROC, pid));
            }
        }
        return ticks;
    }

    /** Seconds of CPU per process between two tick readings ({@link #cpuTicks()}, {@link #compilerTicks()}). */
    static Map<String, Double> secondsBetween(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        after.forEach((name, ticks) -> seconds.put(name,
                Math.max(0, ticks - before.getOrDefault(name, ticks)) / CLOCK_TICKS_PER_SECOND));
        return seconds;
    }

    /** The ticks of one process's compiler threads, read from {@code <proc>/<pid>/task/<tid>/comm} and {@code stat}. */
    static long compilerTicks(Path proc, long pid) {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        total += statTicks(Files.readString(task.resolve("stat"), StandardCharsets.UTF_8));
                    }
                } catch (IOException | RuntimeException gone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException gone) {
            // the process ended: no ticks
        }
        return total;
    }

    /** Cores used per process between two {@link #cpuTicks()} readings {@code seconds} apart. */
    static Map<String, Double> coresBetween(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> cores = secondsBetween(before, after);
        cores.replaceAll((name, cpuSeconds) -> cpuSeconds / seconds);
        return cores;
    }

    /**
     * Waits until the suite (the load generator aside) uses less than {@code quietCores} of CPU over a second:
     * outbox relays, consumers and settlement have caught up with the last run. Waits at most {@code limit}.
     *
     * @return whether the suite went quiet in time
     */
    boolean awaitQuiet(double quietCores, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<String, Long> before = cpuTicks();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Map<String, Long> after = cpuTicks();
            double busy = coresBetween(before, after, 1).entrySet().stream()
                    .filter(entry -> !entry.getKey().equals(LOAD_GENERATOR))
                    .mapToDouble(Map.Entry::getValue).sum();
            if (busy < quietCores) {
                return true;
            }
            before = after;
        }
        return false;
    }

    private static long ticks(long pid) {
        try {
            return statTicks(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** User and system time of a {@code stat} line, in clock ticks. */
    private static long statTicks(String stat) {
        // after the command name in parentheses (which may hold spaces): utime is the 12th field, stime the 13th
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private OptionalLong statusKib(String name, String field) {
        Long pid = pids.get(name);
        if (pid == null) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid.toString(), "status"), StandardCharsets.UTF_8)) {
                if (line.startsWith(field)) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // reported as absent
        }
        return OptionalLong.empty();
    }

    private static Optional<Long> firstProcess(List<ProcessHandle> processes, String commandPart) {
        return processes.stream().map(ProcessHandle::pid)
                .filter(pid -> commandLine(pid).contains(commandPart)).findFirst();
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
