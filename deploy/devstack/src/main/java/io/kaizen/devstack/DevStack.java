package io.kaizen.devstack;

import io.kaizen.devstack.platform.PlatformEmulators;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The whole local infrastructure of the suite: PostgreSQL (one database per service), Redis, a Kafka broker with
 * the topics of DESIGN §4, the {@link Router} that mirrors the ingress and a {@link Sink} for external endpoints,
 * with development keys. Started once per test JVM by {@link #shared()}, or on fixed ports by {@code ./kaizen up}.
 */
public final class DevStack {

    private static final Pattern SHARED_ROOT = Pattern.compile("devstack-(\\d+)(-\\d+)?");
    private static DevStack shared;

    private final Path root;
    private final Consumer<String> progress;
    private final PostgresServer postgres;
    private final RedisServer redis;
    private final KafkaBroker kafka;
    private final int routerPort;
    private final int sinkPort;
    private final int emulatorBasePort;
    private final Map<Service, URI> serviceUrls;
    private final DevKeys keys;
    private final List<ServiceLauncher> dependents = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private Router router;
    private Sink sink;
    private final boolean collectSpans;
    private SpanCollector spanCollector;
    private final Map<String, Sink> emulators = new LinkedHashMap<>();
    private Thread shutdownHook;
    private boolean started;

    private DevStack(Builder builder, List<Integer> freePorts) {
        Path absoluteRoot = builder.root.toAbsolutePath().normalize();
        this.root = absoluteRoot;
        this.progress = builder.progress;
        Iterator<Integer> ports = freePorts.iterator();
        this.postgres = new PostgresServer(orFree(builder.postgresPort, ports), absoluteRoot.resolve("postgres"));
        this.redis = new RedisServer(orFree(builder.redisPort, ports), absoluteRoot.resolve("redis"));
        this.kafka = new KafkaBroker(orFree(builder.kafkaPort, ports), orFree(builder.kafkaControllerPort, ports),
                absoluteRoot.resolve("kafka"), builder.layout == null ? ProjectLayout.locate() : builder.layout);
        this.routerPort = orFree(builder.routerPort, ports);
        this.sinkPort = orFree(builder.sinkPort, ports);
        this.emulatorBasePort = builder.emulatorBasePort;
        this.collectSpans = builder.collectSpans;
        this.serviceUrls = new ConcurrentHashMap<>(builder.serviceUrls);
        this.keys = DevKeys.load(absoluteRoot.resolve("keys"));
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * The stack of this test JVM: started on free ports under {@code target/devstack-<pid>} of the working
     * directory on first use, stopped when the JVM exits. Stacks that dead test JVMs left in that
     * {@code target} folder are stopped and deleted first.
     */
    public static synchronized DevStack shared() {
        if (shared == null) {
            Path target = Path.of("").toAbsolutePath().resolve("target");
            removeDeadStacks(target);
            Path root = target.resolve("devstack-" + ProcessHandle.current().pid());
            // another class loader of this JVM (a Quarkus application restart) may already run a stack there
            for (int n = 2; Boolean.getBoolean(claimProperty(root)); n++) {
                root = target.resolve("devstack-" + ProcessHandle.current().pid() + "-" + n);
            }
            System.setProperty(claimProperty(root), "true");
            DevStack stack = builder(root).progress(line -> System.out.println("[devstack] " + line))
                    .collectSpans(true).build();
            stack.start();
            shared = stack;
        }
        return shared;
    }

    /** Starts PostgreSQL, Redis and Kafka in parallel, then the router and the sink. */
    public synchronized DevStack start() {
        if (started) {
            return this;
        }
        long begin = System.nanoTime();
        progress.accept("starting in " + root);
        shutdownHook = new Thread(this::stop, "kaizen-devstack-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        started = true;
        ExecutorService executor = Executors.newFixedThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "kaizen-devstack-start");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletableFuture.allOf(
                    CompletableFuture.runAsync(() -> timed("PostgreSQL on 127.0.0.1:" + postgres.port()
                            + " (databases " + String.join(", ", PostgresServer.DATABASES) + ")", postgres::start), executor),
                    CompletableFuture.runAsync(() -> timed("Redis on " + redis.url(), redis::start), executor),
                    CompletableFuture.runAsync(() -> timed("Kafka on " + kafka.bootstrapServers() + " (" + Topics.ALL.size() + " topics)",
                            kafka::start), executor)).join();
            vertx = Vertx.vertx(new VertxOptions()
                    .setEventLoopPoolSize(2)
                    .setWorkerPoolSize(2)
                    .setInternalBlockingPoolSize(2)
                    .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
            Map<String, URI> upstreams = new LinkedHashMap<>();
            serviceUrls.forEach((service, url) -> upstreams.put(service.shortName(), url));
            router = new Router(vertx, routerPort, RouteTable.load(), upstreams);
            sink = new Sink(vertx, sinkPort);
            timed("router on " + routerUrl(), router::start);
            timed("sink on " + sinkUrl(), sink::start);
            if (collectSpans) {
                spanCollector = new SpanCollector(vertx);
                timed("span collector", spanCollector::start);
                progress.accept("span collector (OTLP/HTTP) on " + spanCollector.url());
            }
            List<PlatformRules> platforms = PlatformEmulators.rules();
            for (int i = 0; i < platforms.size(); i++) {
                Sink emulator = new Sink(vertx, emulatorBasePort == 0 ? 0 : emulatorBasePort + i, platforms.get(i));
                emulators.put(platforms.get(i).platform(), emulator);
                timed(platforms.get(i).platform() + " emulator", emulator::start);
            }
            progress.accept("platform emulators: " + String.join(", ", emulators.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue().url()).toList()));
        } catch (RuntimeException e) {
            stop();
            throw e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            executor.shutdown();
        }
        progress.accept(String.format("infrastructure ready in %.1f s", (System.nanoTime() - begin) / 1e9));
        return this;
    }

    /** Stops the services launched against this stack, then everything else in reverse order; safe to call more than once. */
    public synchronized void stop() {
        if (!started) {
            return;
        }
        started = false;
        long begin = System.nanoTime();
        List<RuntimeException> failures = new ArrayList<>();
        if (!dependents.isEmpty()) {
            quietly(failures, () -> ServiceLauncher.stopAll(List.copyOf(dependents)));
        }
        quietly(failures, () -> {
            if (sink != null) {
                sink.stop();
            }
        });
        quietly(failures, () -> {
            if (spanCollector != null) {
                spanCollector.stop();
            }
        });
        emulators.values().forEach(emulator -> quietly(failures, emulator::stop));
        emulators.clear();
        quietly(failures, () -> {
            if (router != null) {
                router.stop();
            }
        });
        quietly(failures, () -> {
            if (vertx != null) {
                Await.result(vertx.close(), "vert.x close");
            }
        });
        quietly(failures, kafka::stop);
        quietly(failures, redis::stop);
        quietly(failures, postgres::stop);
        sink = null;
        spanCollector = null;
        router = null;
        vertx = null;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook running
        }
        progress.accept(String.format("stopped in %.1f s", (System.nanoTime() - begin) / 1e9));
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    public void stopPostgres() {
        timed("PostgreSQL stopped", postgres::stop);
    }

    public void startPostgres() {
        timed("PostgreSQL on 127.0.0.1:" + postgres.port(), postgres::start);
    }

    public void stopRedis() {
        timed("Redis stopped", redis::stop);
    }

    public void startRedis() {
        timed("Redis on " + redis.url(), redis::start);
    }

    public void stopKafka() {
        timed("Kafka stopped", kafka::stop);
    }

    public void startKafka() {
        timed("Kafka on " + kafka.bootstrapServers(), kafka::start);
    }

    public Path root() {
        return root;
    }

    public int postgresPort() {
        return postgres.port();
    }

    public String jdbcUrl(String database) {
        return postgres.jdbcUrl(database);
    }

    /** The Vert.x reactive client URL, {@code postgresql://127.0.0.1:<port>/<database>}. */
    public String reactiveUrl(String database) {
        return postgres.reactiveUrl(database);
    }

    public int redisPort() {
        return redis.port();
    }

    public String redisUrl() {
        return redis.url();
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public String sinkUrl() {
        return "http://127.0.0.1:" + sinkPort;
    }

    public String routerUrl() {
        return "http://127.0.0.1:" + routerPort;
    }

    public DevKeys keys() {
        return keys;
    }

    public String serviceToken() {
        return keys.serviceToken();
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public RedisServer redis() {
        return redis;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The OTLP receiver the services export their spans to; null unless the stack collects spans and is started. */
    public synchronized SpanCollector spanCollector() {
        return spanCollector;
    }

    /** The sink; null until {@link #start()}. */
    public synchronized Sink sink() {
        return sink;
    }

    /** The emulator of a platform ({@code slack}, {@code discord}, {@code teams}, {@code telegram}, {@code notion}); null until {@link #start()}. */
    public synchronized Sink emulator(String platform) {
        return emulators.get(platform);
    }

    /** The router; null until {@link #start()}. */
    public synchronized Router router() {
        return router;
    }

    /**
     * Tells the stack where a service answers: its URL goes into the other services' configuration and into the
     * router's upstreams.
     */
    public synchronized void registerService(Service service, URI baseUrl) {
        serviceUrls.put(service, baseUrl);
        if (router != null) {
            router.setUpstream(service.shortName(), baseUrl);
        }
    }

    public Optional<URI> serviceUrl(Service service) {
        return Optional.ofNullable(serviceUrls.get(service));
    }

    /** The Quarkus configuration a service needs to run against this stack. */
    public Map<String, String> serviceConfig(Service service) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.username", PostgresServer.USER);
        config.put("quarkus.datasource.password", PostgresServer.PASSWORD);
        config.put("quarkus.datasource.jdbc.url", jdbcUrl(service.database()));
        config.put("quarkus.datasource.reactive.url", reactiveUrl(service.database()));
        config.put("quarkus.redis.hosts", redisUrl());
        config.put("kafka.bootstrap.servers", kafkaBootstrap());
        config.put("mp.jwt.verify.publickey.location", keys.publicKeyPem().toString());
        config.put("mp.jwt.verify.issuer", DevKeys.ISSUER);
        config.put("mp.jwt.verify.audiences", DevKeys.AUDIENCE);
        config.put("kaizen.internal.service-token", keys.serviceToken());
        config.put("kaizen.egress.allow-loopback", "true");
        config.put("kaizen.egress.https-only", "false");
        if (service == Service.REGISTRY) {
            config.put("kaizen.crypto.keys", keys.fernetKey());
        }
        if (service == Service.APPROVAL) {
            // the links of approver notifications lead to the page through the router, as through the ingress
            config.put("kaizen.approvals.page-url", routerUrl());
        }
        for (Service other : Service.values()) {
            serviceUrl(other).ifPresent(url -> config.put("quarkus.rest-client." + other.shortName() + ".url", url.toString()));
        }
        SpanCollector collector = spanCollector();
        if (collector != null) {
            // every span is exported to the collector, soon after it ends (docs/operations.md, Tracing)
            config.put("kaizen.tracing.otlp.endpoint", collector.url());
            config.put("kaizen.tracing.otlp.schedule-delay", "200ms");
            config.put("quarkus.otel.traces.sampler.arg", "1.0");
        }
        return config;
    }

    void addDependent(ServiceLauncher launcher) {
        dependents.add(launcher);
    }

    void removeDependent(ServiceLauncher launcher) {
        dependents.remove(launcher);
    }

    private void timed(String what, Runnable action) {
        long begin = System.nanoTime();
        action.run();
        progress.accept(String.format("%s (%.1f s)", what, (System.nanoTime() - begin) / 1e9));
    }

    private static void quietly(List<RuntimeException> failures, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }

    private static int orFree(int port, Iterator<Integer> free) {
        return port != 0 ? port : free.next();
    }

    private static String claimProperty(Path root) {
        return "kaizen.devstack.claimed." + root;
    }

    /** Stops the processes of stacks whose test JVM died without stopping them, and deletes their folders. */
    private static void removeDeadStacks(Path target) {
        if (!Files.isDirectory(target)) {
            return;
        }
        try (Stream<Path> children = Files.list(target)) {
            children.filter(dir -> {
                Matcher m = SHARED_ROOT.matcher(dir.getFileName().toString());
                return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true);
            }).forEach(dir -> {
                KafkaBroker.stopLeftover(dir.resolve("kafka"));
                RedisServer.stopLeftover(dir.resolve("redis"));
                PostgresServer.stopLeftover(dir.resolve("postgres").resolve("data"));
                deleteRecursively(dir);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a file still held open stays; the next clean-up takes it
                }
            });
        } catch (IOException ignored) {
            // same: best effort on a dead stack's leftovers
        }
    }

    /** Root folder and ports; a port left at 0 is picked free at {@link #build()}. */
    public static final class Builder {
        private final Path root;
        private int postgresPort;
        private int redisPort;
        private int kafkaPort;
        private int kafkaControllerPort;
        private int routerPort;
        private int sinkPort;
        private int emulatorBasePort;
        private boolean collectSpans;
        private ProjectLayout layout;
        private Consumer<String> progress = line -> { };
        private final Map<Service, URI> serviceUrls = new EnumMap<>(Service.class);

        private Builder(Path root) {
            this.root = root;
        }

        public Builder postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        public Builder redisPort(int port) {
            this.redisPort = port;
            return this;
        }

        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        public Builder kafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        public Builder routerPort(int port) {
            this.routerPort = port;
            return this;
        }

        public Builder sinkPort(int port) {
            this.sinkPort = port;
            return this;
        }

        /** The platform emulators listen on this port and the next four; 0 (the default) picks free ones. */
        public Builder emulatorBasePort(int port) {
            this.emulatorBasePort = port;
            return this;
        }

        /**
         * Runs a {@link SpanCollector} and has the services export every span to it; off by default, so that
         * {@code ./kaizen up} runs the services as deployed without a collector (nothing exported).
         */
        public Builder collectSpans(boolean collect) {
            this.collectSpans = collect;
            return this;
        }

        /** Where a service answers; see {@link DevStack#registerService}. */
        public Builder service(Service service, URI baseUrl) {
            serviceUrls.put(service, baseUrl);
            return this;
        }

        /** The project whose {@code deploy/devstack/target/kafka-lib} runs the broker; found from the working directory by default. */
        public Builder layout(ProjectLayout layout) {
            this.layout = layout;
            return this;
        }

        /** Receives one line per step with its duration, e.g. for {@code ./kaizen up}. */
        public Builder progress(Consumer<String> progress) {
            this.progress = progress;
            return this;
        }

        public DevStack build() {
            long zeros = Stream.of(postgresPort, redisPort, kafkaPort, kafkaControllerPort, routerPort, sinkPort).filter(p -> p == 0).count();
            return new DevStack(this, FreePort.pick((int) zeros));
        }
    }
}
