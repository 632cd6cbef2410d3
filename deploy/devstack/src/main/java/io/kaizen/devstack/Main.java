package io.kaizen.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ./kaizen}'s engine, run from {@code deploy/devstack/target/devstack.jar} with {@code target/lib/*}.
 *
 * <pre>
 * up     [--root DIR]   infrastructure, router, sink and the five packaged services on their fixed ports
 * infra  [--root DIR]   infrastructure, router and sink only (the services run elsewhere, e.g. quarkus:dev)
 * token  --org ORG --roles R1,R2 [--sub ID] [--team T] [--ttl-minutes N] [--root DIR]
 * down   [--root DIR]   stops a running `up` or `infra`
 * status [--root DIR]
 * dlq    list|replay TOPIC [--bootstrap HOST:PORT] [--root DIR]
 * </pre>
 *
 * The root defaults to {@code .kaizen/} in the project root; it holds the data, {@code logs/}, {@code keys/},
 * {@code stack.pid} and {@code stack.env}.
 */
public final class Main {

    public static final int POSTGRES_PORT = 15432;
    public static final int REDIS_PORT = 16379;
    public static final int KAFKA_PORT = 19092;
    public static final int KAFKA_CONTROLLER_PORT = 19093;
    public static final int ROUTER_PORT = 8080;
    public static final int SINK_PORT = 18088;
    /** Slack, Discord, Teams, Telegram and Notion emulators listen on this port and the next four. */
    public static final int EMULATOR_BASE_PORT = 18091;
    public static final String BASE_URL = "http://localhost:" + ROUTER_PORT;

    private static final Duration DEV_TOKEN_TTL = Duration.ofHours(24);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintStream out;
    private final List<String> arguments;
    private final Map<String, String> options;
    private final Path root;

    private Main(PrintStream out, List<String> arguments, Map<String, String> options, Path root) {
        this.out = out;
        this.arguments = arguments;
        this.options = options;
        this.root = root;
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(usage());
            System.exit(args.length == 0 ? 2 : 0);
        }
        try {
            List<String> rest = Arrays.asList(args).subList(1, args.length);
            int firstOption = 0;
            while (firstOption < rest.size() && !rest.get(firstOption).startsWith("--")) {
                firstOption++;
            }
            List<String> arguments = rest.subList(0, firstOption);
            if (!arguments.isEmpty() && !args[0].equals("dlq")) {
                throw new IllegalArgumentException("unexpected argument: " + arguments.get(0) + "\n" + usage());
            }
            Map<String, String> options = options(rest.subList(firstOption, rest.size()));
            Path root = Optional.ofNullable(options.get("root")).map(Path::of)
                    .orElseGet(() -> ProjectLayout.locate().localStackRoot())
                    .toAbsolutePath().normalize();
            Main main = new Main(System.out, arguments, options, root);
            int status = switch (args[0]) {
                case "up" -> main.up(true);
                case "infra" -> main.up(false);
                case "token" -> main.token();
                case "down" -> main.down();
                case "status" -> main.status();
                case "demo" -> main.demo();
                case "rotate-credentials" -> main.rotateCredentials();
                case "dlq" -> main.dlq();
                default -> {
                    System.err.println("unknown command: " + args[0] + "\n" + usage());
                    yield 2;
                }
            };
            if (status != 0) {
                System.exit(status);
            }
        } catch (Exception e) {
            // exit explicitly: Vert.x threads would otherwise keep a half-started stack alive
            System.err.println("kaizen: " + e.getMessage());
            System.exit(1);
        }
    }

    private int up(boolean withServices) {
        Optional<Long> running = runningPid();
        if (running.isPresent()) {
            throw new IllegalStateException("a stack is already running from " + root + " (pid " + running.get() + "); run ./kaizen down first");
        }
        ProjectLayout layout = ProjectLayout.locate();
        if (withServices) {
            for (Service service : Service.values()) {
                if (!Files.isRegularFile(layout.serviceJar(service))) {
                    throw new IllegalStateException(layout.serviceJar(service) + " is missing; build with ./mvnw -DskipTests package");
                }
            }
        }
        Path logDir = root.resolve("logs");
        configureLogging(logDir);
        long begin = System.nanoTime();
        DevStack.Builder builder = DevStack.builder(root)
                .layout(layout)
                .postgresPort(POSTGRES_PORT)
                .redisPort(REDIS_PORT)
                .kafkaPort(KAFKA_PORT)
                .kafkaControllerPort(KAFKA_CONTROLLER_PORT)
                .routerPort(ROUTER_PORT)
                .sinkPort(SINK_PORT)
                .emulatorBasePort(EMULATOR_BASE_PORT)
                .progress(this::progress);
        for (Service service : Service.values()) {
            builder.service(service, URI.create("http://127.0.0.1:" + service.defaultPort()));
        }
        DevStack stack = builder.build();
        AtomicReference<ServiceSupervisor> supervisor = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // no service is started again while the stack stops them
            Optional.ofNullable(supervisor.get()).ifPresent(ServiceSupervisor::close);
            stack.stop();
            deleteQuietly(root.resolve("stack.pid"));
            deleteQuietly(root.resolve("stack.env"));
        }, "kaizen-main-shutdown"));
        stack.start();
        if (withServices) {
            progress("starting " + Service.values().length + " services (logs in " + logDir + ")");
            long servicesBegin = System.nanoTime();
            Map<Service, Integer> ports = new EnumMap<>(Service.class);
            for (Service service : Service.values()) {
                ports.put(service, service.defaultPort());
            }
            Map<Service, ServiceLauncher> launched = ServiceLauncher.startAll(stack, ports, logDir, this::progress);
            progress(String.format("services ready (%.1f s)", seconds(servicesBegin)));
            // a service that exits on its own (a crash, out of heap) is started again, as Kubernetes would
            supervisor.set(ServiceSupervisor.watch(launched,
                    service -> ServiceLauncher.start(stack, layout, service, ports.get(service), logDir, Map.of()),
                    this::progress));
        }
        writeStackFiles(stack, logDir);
        String token = stack.keys().token("org_dev", List.of("org_owner"), "dev-user", null, DEV_TOKEN_TTL);
        progress(String.format("ready in %.1f s", seconds(begin)));
        out.println();
        out.println("Base URL: " + BASE_URL);
        out.println("Token (org_dev, org_owner, 24 h):");
        out.println(token);
        out.println();
        out.println("Stop with ./kaizen down (or Ctrl-C).");
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private int token() {
        String org = required("org");
        List<String> roles = Arrays.stream(required("roles").split(",")).map(String::strip).filter(r -> !r.isEmpty()).toList();
        String subject = options.getOrDefault("sub", "dev-user");
        Duration ttl = Duration.ofMinutes(Long.parseLong(options.getOrDefault("ttl-minutes", Long.toString(DEV_TOKEN_TTL.toMinutes()))));
        out.println(DevKeys.load(root.resolve("keys")).token(org, roles, subject, options.get("team"), ttl));
        return 0;
    }

    private int down() {
        Optional<Long> running = runningPid();
        if (running.isEmpty()) {
            out.println("no stack is running from " + root);
            return 0;
        }
        ProcessHandle handle = ProcessHandle.of(running.get()).orElseThrow();
        out.println("stopping the stack (pid " + handle.pid() + ")");
        handle.destroy();
        try {
            handle.onExit().get(90, TimeUnit.SECONDS);
            out.println("stopped");
            return 0;
        } catch (Exception e) {
            throw new IllegalStateException("the stack (pid " + handle.pid() + ") did not stop within 90 s");
        }
    }

    private int status() {
        Optional<Long> running = runningPid();
        if (running.isEmpty()) {
            out.println("not running (" + root + ")");
            return 3;
        }
        out.println("running, pid " + running.get() + ", base URL " + BASE_URL);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        int notReady = 0;
        for (Service service : Service.values()) {
            String state;
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.defaultPort() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                state = ready.statusCode() == 200 ? "ready" : "not ready (HTTP " + ready.statusCode() + ")";
            } catch (IOException e) {
                state = "not answering";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state = "interrupted";
            }
            if (!state.equals("ready")) {
                notReady++;
            }
            out.printf("  %-20s :%d  %s%n", service.module(), service.defaultPort(), state);
        }
        return notReady == 0 ? 0 : 1;
    }

    private int demo() throws IOException, InterruptedException {
        Map<String, String> env = stackEnv();
        return new Demo(env.get("KAIZEN_BASE_URL"), env.get("KAIZEN_SINK_URL"), DevKeys.load(root.resolve("keys")), out).run();
    }

    /** Lists or replays the records consumers dead-lettered from a topic (docs/operations.md). */
    private int dlq() throws IOException {
        if (arguments.size() != 2 || !List.of("list", "replay").contains(arguments.get(0))) {
            throw new IllegalArgumentException("expected dlq list|replay TOPIC\n" + usage());
        }
        String bootstrap = options.containsKey("bootstrap") ? options.get("bootstrap") : stackEnv().get("KAIZEN_KAFKA_BOOTSTRAP");
        DeadLetterQueue queue = new DeadLetterQueue(bootstrap);
        String topic = arguments.get(1);
        boolean replay = arguments.get(0).equals("replay");
        List<DeadLetterQueue.DeadLetter> letters = replay ? queue.replay(topic) : queue.list(topic);
        out.println((replay ? "replayed " : "") + letters.size() + " record(s) " + (replay ? "from " : "in ")
                + DeadLetterQueue.dlqOf(topic));
        for (DeadLetterQueue.DeadLetter letter : letters) {
            out.printf("  %d@%d  key=%s  event=%s  type=%s  consumer=%s  topic=%s%n    reason: %s%n", letter.partition(),
                    letter.offset(), letter.key(), letter.eventId(), letter.type(), letter.consumer(), letter.topic(),
                    letter.reason());
        }
        return 0;
    }

    private Map<String, String> stackEnv() throws IOException {
        if (runningPid().isEmpty()) {
            throw new IllegalStateException("no stack is running from " + root + "; run ./kaizen up first");
        }
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(root.resolve("stack.env"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    /** Re-encrypts every stored credential under the newest key (docs/operations.md). */
    private int rotateCredentials() throws IOException, InterruptedException {
        if (runningPid().isEmpty()) {
            throw new IllegalStateException("no stack is running from " + root + "; run ./kaizen up first");
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + Service.REGISTRY.defaultPort() + "/internal/v1/credentials/rotate"))
                .header("X-Kaizen-Service-Token", DevKeys.load(root.resolve("keys")).serviceToken())
                .timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            out.println("HTTP " + response.statusCode() + " " + response.body());
            return 1;
        }
        CredentialRotationReport report = CredentialRotationReport.parse(response.body());
        out.println(report.describe());
        // rows left behind need the operator; a script running this must notice
        return report.complete() ? 0 : 1;
    }

    private Optional<Long> runningPid() {
        return ManagedProcess.readPid(root.resolve("stack.pid"))
                .filter(pid -> ProcessHandle.of(pid).map(handle -> handle.isAlive()
                        && ManagedProcess.commandLine(handle).contains("devstack")).orElse(false));
    }

    private void writeStackFiles(DevStack stack, Path logDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAIZEN_BASE_URL", BASE_URL);
        env.put("KAIZEN_ROUTER_URL", stack.routerUrl());
        env.put("KAIZEN_SINK_URL", stack.sinkUrl());
        env.put("KAIZEN_POSTGRES_PORT", Integer.toString(stack.postgresPort()));
        for (Service service : Service.values()) {
            env.put("KAIZEN_" + service.shortName().toUpperCase() + "_JDBC_URL", stack.jdbcUrl(service.database()));
        }
        env.put("KAIZEN_REDIS_URL", stack.redisUrl());
        env.put("KAIZEN_KAFKA_BOOTSTRAP", stack.kafkaBootstrap());
        for (Service service : Service.values()) {
            stack.serviceUrl(service).ifPresent(url -> env.put("KAIZEN_" + service.shortName().toUpperCase() + "_URL", url.toString()));
        }
        env.put("KAIZEN_JWT_PUBLIC_KEY", stack.keys().publicKeyPem().toString());
        env.put("KAIZEN_LOG_DIR", logDir.toString());
        StringBuilder text = new StringBuilder();
        env.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            Files.writeString(root.resolve("stack.env"), text, StandardCharsets.UTF_8);
            Files.writeString(root.resolve("stack.pid"), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + root.resolve("stack.env") + ": " + e.getMessage(), e);
        }
    }

    /** Library logging (zonky, the Kafka admin client) goes to a file, so the console shows the progress lines only. */
    private static void configureLogging(Path logDir) {
        URL config = Main.class.getResource("/devstack-logging.properties");
        if (config == null || System.getProperty("logging.configuration") != null) {
            return;
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + logDir, e);
        }
        System.setProperty("kaizen.devstack.log-file", logDir.resolve("devstack.log").toString());
        System.setProperty("logging.configuration", config.toExternalForm());
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
    }

    private void progress(String line) {
        out.println("[" + LocalTime.now().format(CLOCK) + "] " + line);
    }

    private String required(String option) {
        String value = options.get(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + option + " is required\n" + usage());
        }
        return value;
    }

    private static Map<String, String> options(List<String> args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException("expected --option value, got: " + String.join(" ", args.subList(i, args.size())));
            }
            options.put(arg.substring(2), args.get(++i));
        }
        return options;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the JVM is exiting; a stale file is recognised by its dead pid
        }
    }

    private static String usage() {
        return """
                usage: kaizen <command> [options]
                  up     [--root DIR]   start PostgreSQL, Redis, Kafka, the router (8080), the sink and the five services
                  infra  [--root DIR]   start PostgreSQL, Redis, Kafka, the router and the sink only
                  token  --org ORG --roles R1,R2 [--sub ID] [--team T] [--ttl-minutes N] [--root DIR]
                  down   [--root DIR]   stop a running stack
                  status [--root DIR]
                  demo   [--root DIR]   register an agent aimed at the sink, invoke it, print its lineage
                  rotate-credentials [--root DIR]   re-encrypt every stored credential under the newest key
                  dlq list TOPIC   [--bootstrap HOST:PORT] [--root DIR]   show what consumers dead-lettered from TOPIC
                  dlq replay TOPIC [--bootstrap HOST:PORT] [--root DIR]   republish those records to TOPIC (each once)""";
    }
}
