package io.kaizen.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node KRaft Kafka broker (broker and controller in one) in its own JVM, listening on 127.0.0.1 only.
 * It runs from {@code deploy/devstack/target/kafka-lib} so Scala and the broker's dependencies never reach the
 * classpath of the process that starts it. {@link #stop()} and {@link #start()} reuse the same ports and log
 * directory: topics and records survive a restart.
 */
public final class KafkaBroker {

    /** By name: loading it here would need the broker's classes, which this JVM does not have. */
    private static final String BROKER_MAIN = "io.kaizen.devstack.KafkaBrokerMain";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final int port;
    private final int controllerPort;
    private final Path directory;
    private final ProjectLayout layout;
    private ManagedProcess process;

    /**
     * @param port           the PLAINTEXT listener clients use
     * @param controllerPort the KRaft CONTROLLER listener
     * @param directory      holds {@code data/}, {@code server.properties} and the logs
     */
    public KafkaBroker(int port, int controllerPort, Path directory, ProjectLayout layout) {
        this.port = port;
        this.controllerPort = controllerPort;
        this.directory = directory;
        this.layout = layout;
    }

    public synchronized void start() {
        if (process != null) {
            return;
        }
        stopLeftover(directory);
        FreePort.requireFree(port, "Kafka");
        FreePort.requireFree(controllerPort, "the Kafka controller");
        Path properties = writeConfiguration();
        process = ManagedProcess.start("kafka-broker", command(properties), Map.of(), directory.resolve("broker.out"), pidFile(directory));
        try {
            awaitReadyAndCreateTopics();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** A clean broker shutdown (SIGTERM), killed if it takes longer than 30 seconds. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            process.stop(STOP_GRACE);
        } finally {
            process = null;
        }
    }

    public synchronized boolean isRunning() {
        return process != null;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        return Admin.create(config);
    }

    static void stopLeftover(Path directory) {
        ManagedProcess.stopLeftover(pidFile(directory), BROKER_MAIN, "TERM", STOP_GRACE);
    }

    private static Path pidFile(Path directory) {
        return directory.resolve("broker.pid");
    }

    private List<String> command(Path properties) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = layout.kafkaLib().resolve("*") + File.pathSeparator + devstackCodeLocation();
        return List.of(java.toString(),
                "-Xms64m", "-Xmx384m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dlogging.configuration=" + loggingConfiguration().toUri(),
                "-Dkaizen.kafka.log-file=" + directory.resolve("broker.log"),
                "-cp", classpath,
                BROKER_MAIN,
                Long.toString(ProcessHandle.current().pid()),
                properties.toString());
    }

    private static String devstackCodeLocation() {
        try {
            return Path.of(KafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the devstack classes", e);
        }
    }

    private Path loggingConfiguration() {
        Path target = directory.resolve("logging.properties");
        try (InputStream in = KafkaBroker.class.getResourceAsStream("/kafka-broker-logging.properties")) {
            if (in == null) {
                throw new IllegalStateException("kafka-broker-logging.properties is missing from the devstack jar");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path writeConfiguration() {
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + directory.resolve("data"),
                "auto.create.topics.enable=false",
                "num.partitions=" + Topics.PARTITIONS,
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // a small footprint: two cores run the whole suite
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "num.recovery.threads.per.data.dir=1",
                "log.cleaner.threads=1",
                "log.cleaner.dedupe.buffer.size=16777216",
                "log.segment.bytes=67108864",
                "log.retention.hours=168",
                "");
        try {
            Files.createDirectories(directory.resolve("data"));
            Path file = directory.resolve("server.properties");
            Files.writeString(file, config, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReadyAndCreateTopics() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        awaitListener(deadline);
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited during start:\n" + process.tail(40)
                            + "\n(see " + directory.resolve("broker.log") + ")");
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    createMissingTopics(admin);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        throw new IllegalStateException("Kafka did not become ready on " + bootstrapServers() + " within " + READY_TIMEOUT
                + ": " + last + "\n" + process.tail(40));
    }

    /** The admin client would log a warning per refused connection; a plain socket waits quietly. */
    private void awaitListener(long deadline) {
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited during start:\n" + process.tail(40)
                        + "\n(see " + directory.resolve("broker.log") + ")");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static void createMissingTopics(Admin admin) throws ExecutionException, InterruptedException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        List<NewTopic> missing = Topics.ALL.stream()
                .filter(topic -> !existing.contains(topic))
                .map(topic -> new NewTopic(topic, Topics.PARTITIONS, Topics.REPLICATION_FACTOR))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
