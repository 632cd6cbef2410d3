package io.kaizen.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Runs a packaged service ({@code <module>/target/quarkus-app/quarkus-run.jar}) as its own JVM against a
 * {@link DevStack}, for {@code ./kaizen up} and the cross-service tests. Output goes to
 * {@code <logDir>/<module>.log}. The process is stopped with SIGTERM by the stack's shutdown hook when this JVM
 * exits (before the infrastructure it uses) and, should this JVM be killed outright, by its {@link OrphanGuard}.
 */
public final class ServiceLauncher {

    public static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final int LOG_LINES_ON_FAILURE = 40;
    /**
     * Memory settings of a service JVM, sized so that a service stays within 256 MiB resident after load: a heap
     * that starts small and is capped (the default initial heap, 1/64 of the machine, would be committed and touched
     * at once) and gives back what a collection frees beyond 30 %, caps on metaspace and compiled code, and a native
     * heap trimmed every 5 s (the compilers' freed arenas otherwise stay resident, 25-35 MiB per service measured).
     * The serial collector suits a small heap on few cores. The trimming option exists from JDK 17.0.11 on; older
     * JDKs ignore it rather than refuse to start.
     * <p>
     * The compilers are chosen per service ({@link #jvmOptions(Service)}): the services on the invoke path run the
     * JVM's default, C1 and then C2 for the hottest code; the others only the first tier (C1,
     * {@link #FIRST_TIER_ONLY}).
     * <p>
     * Where the rest goes, measured with native memory tracking after the decision, invoke and lineage benchmarks
     * (docs/operations.md, "Memory"): about 135 MiB is the classes of a Quarkus service (metaspace 95-105, symbols
     * 24, the JDK's shared archive 11), which no option shrinks; then the heap (40-93 MiB committed, 28-36 MiB of it
     * live), compiled code (12-31 MiB), direct buffers (up to 13 MiB) and thread stacks (2-5 MiB). Two options
     * take the direct buffers and part of the heap (measured below); a scaled compile threshold was left out (see
     * docs/operations.md):
     * <ul>
     *   <li>{@code MaxNewSize=24m} with {@code SurvivorRatio=4}: a young generation of 16 MiB for new objects and
     *       two survivor spaces of 4 MiB. The default survivor spaces of a 16 MiB young generation (1.6 MiB each)
     *       overflowed at every collection under load (records in flight, requests awaiting their answer), so
     *       6-8 MiB went to the old generation each time and filled it every one to five collections: 75 full
     *       collections (11.7 s, 80-300 ms each) in governance-service, 78 (12.9 s) in the gateway and 219 (23.8 s) in
     *       lineage-service over the same benchmark runs that now take 22 (2.8 s), 39 (5.7 s) and 170 (16.1 s),
     *       with the lineage ingest at 2,805 events/s against 2,048 (docs/operations.md, "Memory").</li>
     *   <li>{@code jdk.nio.maxCachedBufferSize}: a thread reading into a heap buffer (the Kafka clients) goes
     *       through a temporary direct buffer of the same size, which the JDK keeps per thread whatever its size;
     *       above 256 KiB it is now freed after use (with the consumers' {@code fetch.max.bytes} of 4 MiB in common's
     *       configuration, direct memory fell from 7-13 to 1-3 MiB per busy service).</li>
     * </ul>
     * A service that runs out of heap exits ({@code ExitOnOutOfMemoryError}) rather than going on in whatever state
     * the error left it: a lineage-service that ran out of heap with more consumers than configured went on
     * answering HTTP while its Kafka heartbeat thread had died and its polls failed. An exited service is started
     * again by Kubernetes, or by {@code ./kaizen up} ({@link ServiceSupervisor}), and its consumers resume from their
     * last committed offsets, so nothing is lost.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms24m", "-Xmx128m", "-XX:MaxNewSize=24m", "-XX:SurvivorRatio=4",
            "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:MaxMetaspaceSize=160m",
            "-XX:ReservedCodeCacheSize=64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=5000",
            "-Djdk.nio.maxCachedBufferSize=262144", "-XX:+ExitOnOutOfMemoryError");
    /**
     * The compiler option of a service off the invoke path ({@link Service#invokePath()}): the first tier (C1) only.
     * Measured on 2 cores with the whole suite (bench/README.md, 6 December 2026), warm: with C2 the governed invoke
     * took 4.4-4.7 ms of the suite's CPU in the closed loop and reached 385-421/s, against 8.4-9.2 ms and 202-221/s
     * with C1 alone; each service was 30-50 MiB larger (registry 273 MiB against 244, the gateway 319 against 277),
     * and C2 needs three to five minutes of load before it passes C1 and is done compiling (its compiler thread
     * competes with the services for the cores meanwhile). So C2 runs where every invoke spends its CPU, and a
     * service that is asked only now and then (registry on a cache miss, approval-service for a held call) keeps C1
     * alone and stays within 256 MiB.
     */
    static final List<String> FIRST_TIER_ONLY = List.of("-XX:TieredStopAtLevel=1");
    /**
     * More JVM options for every service, after {@link #JVM_OPTIONS} (so they win), separated by spaces: for measuring,
     * for example {@code KAIZEN_SERVICE_JVM_OPTIONS=-XX:NativeMemoryTracking=summary ./kaizen up}.
     */
    static final String EXTRA_OPTIONS_VARIABLE = "KAIZEN_SERVICE_JVM_OPTIONS";

    /** The JVM options of a service: {@link #JVM_OPTIONS}, and {@link #FIRST_TIER_ONLY} off the invoke path. */
    static List<String> jvmOptions(Service service) {
        if (service.invokePath()) {
            return JVM_OPTIONS;
        }
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.addAll(FIRST_TIER_ONLY);
        return options;
    }

    private final Service service;
    private final int port;
    private final ManagedProcess process;
    private final DevStack stack;

    private ServiceLauncher(Service service, int port, ManagedProcess process, DevStack stack) {
        this.service = service;
        this.port = port;
        this.process = process;
        this.stack = stack;
    }

    /** Starts a service of the project found by {@link ProjectLayout#locate()}; does not wait for it. */
    public static ServiceLauncher start(DevStack stack, Service service, int port, Path logDir) {
        return start(stack, ProjectLayout.locate(), service, port, logDir, Map.of());
    }

    /**
     * Starts a service; does not wait for it.
     *
     * @param extraConfig more {@code -D} properties, after (and over) the stack's
     */
    public static ServiceLauncher start(DevStack stack, ProjectLayout layout, Service service, int port, Path logDir,
                                        Map<String, String> extraConfig) {
        Path jar = layout.serviceJar(service);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the service first (./mvnw -pl " + service.module()
                    + " -am package -DskipTests)");
        }
        stack.registerService(service, URI.create("http://127.0.0.1:" + port));
        Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig(service));
        config.put("quarkus.http.port", Integer.toString(port));
        config.put("quarkus.http.host", "127.0.0.1");
        // the dev profile: plain-text logs, and the refusal of development settings outside the dev and test profiles
        // (common's ProductionSettings) leaves the stack's local keys and loopback egress alone
        config.put("quarkus.profile", "dev");
        config.putAll(extraConfig);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions(service));
        String extraOptions = System.getenv(EXTRA_OPTIONS_VARIABLE);
        if (extraOptions != null && !extraOptions.isBlank()) {
            command.addAll(List.of(extraOptions.trim().split("\\s+")));
        }
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", jar.toString()));
        // the original's variable name for the credential key, accepted by the registry (DESIGN §8)
        Map<String, String> environment = Map.of("EXTERNAL_AGENT_ENCRYPTION_KEY", stack.keys().fernetKey(),
                // the gateway's key for webhook signing secrets (a key of its own in production, docs/webhooks.md)
                "KAIZEN_WEBHOOKS_ENCRYPTION_KEY", "devstack-webhooks-" + stack.keys().fernetKey(),
                // approval-service's key for the links of approver notifications (docs/approvals.md)
                "KAIZEN_APPROVALS_LINK_KEY", "devstack-approval-links-" + stack.keys().fernetKey(),
                // glibc gives each thread that mallocs its own 64 MiB arena; two keep native memory flat
                "MALLOC_ARENA_MAX", "2");
        ManagedProcess process = ManagedProcess.start(service.module(), command, environment,
                logDir.resolve(service.module() + ".log"), null);
        ServiceLauncher launcher = new ServiceLauncher(service, port, process, stack);
        // the stack's shutdown hook stops its services before the databases and brokers they use
        stack.addDependent(launcher);
        return launcher;
    }

    /**
     * Starts the five services in parallel and waits until every one is ready; on any failure all are stopped.
     *
     * @param ports port per service; a service missing from the map gets its default port
     */
    public static Map<Service, ServiceLauncher> startAll(DevStack stack, Map<Service, Integer> ports, Path logDir) {
        return startAll(stack, ports, logDir, line -> { });
    }

    /** As {@link #startAll(DevStack, Map, Path)}, reporting each service's readiness with its start time. */
    public static Map<Service, ServiceLauncher> startAll(DevStack stack, Map<Service, Integer> ports, Path logDir,
                                                         Consumer<String> progress) {
        long begin = System.nanoTime();
        // every URL is known before the first service starts, so each one's configuration names all the others
        for (Service service : Service.values()) {
            stack.registerService(service, URI.create("http://127.0.0.1:" + ports.getOrDefault(service, service.defaultPort())));
        }
        Map<Service, ServiceLauncher> launched = new EnumMap<>(Service.class);
        try {
            for (Service service : Service.values()) {
                launched.put(service, start(stack, service, ports.getOrDefault(service, service.defaultPort()), logDir));
            }
            CompletableFuture.allOf(launched.values().stream()
                    .map(launcher -> CompletableFuture.runAsync(() -> {
                        launcher.awaitReady(READY_TIMEOUT);
                        progress.accept(String.format("%s ready on %s (%.1f s)", launcher.service().module(), launcher.url(),
                                (System.nanoTime() - begin) / 1e9));
                    }))
                    .toArray(CompletableFuture[]::new)).join();
            return launched;
        } catch (RuntimeException e) {
            stopAll(launched.values());
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Stops services in parallel. */
    public static void stopAll(Iterable<ServiceLauncher> launchers) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        launchers.forEach(launcher -> stops.add(CompletableFuture.runAsync(launcher::stop)));
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Polls {@code GET /q/health/ready} until it answers 200.
     *
     * @throws IllegalStateException with the last 40 log lines when the process exits or the time runs out
     */
    public void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service.module() + " exited before it was ready; last lines of "
                        + process.logFile() + ":\n" + process.tail(LOG_LINES_ON_FAILURE));
            }
            try {
                HttpResponse<String> response = client.send(probe, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + service.module(), e);
            }
            sleep(250);
        }
        throw new IllegalStateException(service.module() + " was not ready within " + timeout + " (last answer: " + last
                + "); last lines of " + process.logFile() + ":\n" + process.tail(LOG_LINES_ON_FAILURE));
    }

    /** SIGTERM (Quarkus shuts down gracefully), SIGKILL after 20 seconds. */
    public void stop() {
        process.stop(STOP_GRACE);
        stack.removeDependent(this);
    }

    /** SIGKILL: the service ends as in a crash, with no shutdown hook, no flush and no graceful close. */
    public void crash() {
        process.kill();
        stack.removeDependent(this);
    }

    public Service service() {
        return service;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return process.logFile();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
