package io.kaizen.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.vertx.core.Vertx;

/**
 * {@code ./kaizen bench}: measures the suite that {@code ./kaizen up} runs from this project, against the sink
 * called directly and nginx {@code limit_req} in front of it, in one go: open-loop runs at fixed rates and one
 * closed-loop run per target, lineage lag sampled during the many-agent invokes, open-loop runs of the governed
 * invoke of each messaging platform's agent against its emulator, the lineage service's ingest, lag and export
 * ({@link LineageBench}), and the services' memory at the end. Prints
 * Markdown tables with the ratios to the baselines and the goals, and writes the same as JSON.
 * See {@code bench/README.md}.
 */
public final class Bench {

    /** Below this much CPU, summed over the suite's processes, the last run's after-effects are over. */
    private static final double QUIET_CORES = 0.3;
    private static final Duration LINEAGE_DEADLINE = Duration.ofSeconds(30);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final BenchOptions options;
    private final LocalSuite suite;
    private final SuiteProcesses processes;
    private final Vertx vertx;
    private final PrintStream out;
    private final OpenLoopLoad openLoop;
    private final ClosedLoopLoad closedLoop;
    private final List<LineageLag.Result> lineage = new ArrayList<>();

    private Bench(BenchOptions options, LocalSuite suite, SuiteProcesses processes, Vertx vertx, PrintStream out) {
        this.options = options;
        this.suite = suite;
        this.processes = processes;
        this.vertx = vertx;
        this.out = out;
        this.openLoop = new OpenLoopLoad(vertx, options.connections(), options.timeout());
        this.closedLoop = new ClosedLoopLoad(vertx, options.timeout());
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("help") || Arrays.asList(args).contains("--help")) {
            System.out.println(BenchOptions.usage());
            System.exit(0);
        }
        ProjectLayout layout = ProjectLayout.locate();
        BenchOptions options;
        try {
            options = BenchOptions.parse(Arrays.asList(args), layout.root());
        } catch (IllegalArgumentException e) {
            System.err.println("kaizen bench: " + e.getMessage() + "\n" + BenchOptions.usage());
            System.exit(2);
            return;
        }
        Vertx vertx = Vertx.vertx();
        int status = 0;
        try {
            LocalSuite suite = LocalSuite.connect(layout);
            SuiteProcesses processes = SuiteProcesses.find(suite.stackPid(), layout);
            new Bench(options, suite, processes, vertx, System.out).run();
        } catch (Exception e) {
            System.err.println("kaizen bench: " + e.getMessage());
            status = 1;
        } finally {
            vertx.close();
        }
        // exit explicitly: client threads would otherwise keep the JVM alive
        System.exit(status);
    }

    private void run() throws Exception {
        Instant started = Instant.now();
        Machine machine = Machine.describe();
        progress("machine: " + machine.summary());
        boolean agentTargets = options.targets().stream().anyMatch(target -> !target.equals(BenchOptions.SINK)
                && !target.equals(BenchOptions.NGINX) && !target.equals(BenchOptions.LINEAGE));
        // the agents are registered when a target calls them; the sink, nginx and lineage runs need none
        List<String> agents = agentTargets ? SuiteFixture.agents(suite, options.agents(), out) : List.of();
        Map<String, String> platformAgents = options.platformsRun().isEmpty() ? Map.of()
                : SuiteFixture.platformAgents(suite, options.platformsRun(), out);
        List<String> hotAgent = agents.isEmpty() ? List.of() : agents.subList(0, 1);
        String jwt = suite.ownerToken(SuiteFixture.ORGANIZATION);

        Map<String, TargetResults> results = new LinkedHashMap<>();
        Traffic sink = Traffic.agentEndpoint(options.targetName(BenchOptions.SINK), suite.sink().getHost(),
                suite.sink().getPort(), SuiteFixture.AGENT_PATH, SuiteFixture.ORGANIZATION);
        // the first runs would otherwise also measure the load generator's own JIT compilation
        Duration generatorWarmup = options.warmup().multipliedBy(2);
        progress("warming up the load generator against the sink for " + generatorWarmup.toSeconds() + " s");
        closedLoop.run(sink, options.maxConnections(), Duration.ZERO, generatorWarmup);
        settle();
        if (!agents.isEmpty() && !options.suiteWarmup().isZero()) {
            // the services on the invoke path compile their hot code with C2 over the first minutes of load, slower
            // than C1 alone meanwhile (ServiceLauncher.FIRST_TIER_ONLY): the runs measure the suite as it runs for
            // hours, not its first minutes
            progress(String.format("warming up the suite: governed invokes over %d agents, closed loop, for %d s",
                    agents.size(), options.suiteWarmup().toSeconds()));
            Traffic warming = Traffic.governedInvoke("suite warm-up", suite.router().getHost(),
                    suite.router().getPort(), jwt, agents);
            closedLoop.run(warming, options.maxConnections(), Duration.ZERO, options.suiteWarmup());
            settle();
        }
        Map<String, ServiceGc.Pauses> collectionsBefore = ServiceGc.read(suite.services());
        Map<String, Long> compilingBefore = processes.compilerTicks();
        if (options.runs(BenchOptions.SINK)) {
            results.put(BenchOptions.SINK, measure(BenchOptions.SINK, sink, options.sinkRates(), null));
        }
        if (options.runs(BenchOptions.NGINX)) {
            results.put(BenchOptions.NGINX, measureNginx());
        }
        String router = suite.router().getHost();
        int routerPort = suite.router().getPort();
        if (options.runs(BenchOptions.INVOKE_ONE)) {
            Traffic invoke = Traffic.governedInvoke(options.targetName(BenchOptions.INVOKE_ONE), router, routerPort,
                    jwt, hotAgent);
            results.put(BenchOptions.INVOKE_ONE, measure(BenchOptions.INVOKE_ONE, invoke, options.rates(), null));
        }
        if (options.runs(BenchOptions.INVOKE_MANY)) {
            Traffic invoke = Traffic.governedInvoke(options.targetName(BenchOptions.INVOKE_MANY), router, routerPort,
                    jwt, agents);
            results.put(BenchOptions.INVOKE_MANY, measure(BenchOptions.INVOKE_MANY, invoke, options.rates(),
                    () -> new LineageLag(vertx, router, routerPort, jwt, options.lineageEvery(), LINEAGE_DEADLINE)));
        }
        // open loop only: a platform row is the invoke path with another adapter, compared with the sink at its rate
        for (String platform : options.platformsRun()) {
            String key = BenchOptions.platformTarget(platform);
            Traffic invoke = Traffic.governedInvoke(options.targetName(key), router, routerPort, jwt,
                    List.of(platformAgents.get(platform)));
            TargetResults target = new TargetResults(key, invoke.name());
            openLoopRuns(target, invoke, options.platformRates(), options.platformMeasure(), null);
            results.put(key, target);
        }
        String governance = suite.governance().getHost();
        int governancePort = suite.governance().getPort();
        if (options.runs(BenchOptions.DECISION_ONE)) {
            Traffic decisions = Traffic.decisions(options.targetName(BenchOptions.DECISION_ONE), governance,
                    governancePort, suite.serviceToken(), SuiteFixture.ORGANIZATION, hotAgent);
            results.put(BenchOptions.DECISION_ONE, measure(BenchOptions.DECISION_ONE, decisions,
                    options.decisionRates(), null));
        }
        if (options.runs(BenchOptions.DECISION_MANY)) {
            Traffic decisions = Traffic.decisions(options.targetName(BenchOptions.DECISION_MANY), governance,
                    governancePort, suite.serviceToken(), SuiteFixture.ORGANIZATION, agents);
            results.put(BenchOptions.DECISION_MANY, measure(BenchOptions.DECISION_MANY, decisions,
                    options.decisionRates(), null));
        }

        LineageBench.Result lineageRuns = null;
        if (options.runs(BenchOptions.LINEAGE)) {
            lineageRuns = LineageBench.run(vertx, suite, processes, options, this::progress, this::settleQuietly);
        }

        BenchReport.Memory memory = new BenchReport.Memory(processes.residentMiB(), processes.peakResidentMiB(),
                ServiceGc.since(collectionsBefore, suite.services()),
                SuiteProcesses.secondsBetween(compilingBefore, processes.compilerTicks()));
        List<String> services = Arrays.stream(Service.values()).map(Service::module).toList();
        BenchReport report = new BenchReport(started, machine, options, results, lineage, lineageRuns, memory,
                Machine.loadAverageNow(),
                Goals.check(options, results, lineage, lineageRuns, memory.residentMiB(), services));
        Path written = report.write(options.results());
        out.println();
        out.println(report.markdown());
        out.println("JSON: " + written);
    }

    /** Open-loop runs at each rate, then the closed-loop run; with {@code lineageLag}, the lag is sampled too. */
    private TargetResults measure(String key, Traffic traffic, List<Integer> rates, Supplier<LineageLag> lineageLag)
            throws InterruptedException {
        TargetResults target = new TargetResults(key, traffic.name());
        openLoopRuns(target, traffic, rates, options.measure(), lineageLag);
        progress(String.format("%s, closed loop: %d connections, %d s warm-up, %d s measured", traffic.name(),
                options.maxConnections(), options.warmup().toSeconds(), options.maxSeconds().toSeconds()));
        Map<String, Long> before = processes.cpuTicks();
        long begin = System.nanoTime();
        LoadResult max = closedLoop.run(traffic, options.maxConnections(), options.warmup(), options.maxSeconds());
        max = max.withCpu(SuiteProcesses.coresBetween(before, processes.cpuTicks(), seconds(begin)));
        target.closedLoop(max);
        report(max);
        settle();
        return target;
    }

    /**
     * One open-loop run of {@code measured} at each rate, lowest first; after a run that did not keep up, the higher
     * rates are not run unless {@code keep-going}.
     */
    private void openLoopRuns(TargetResults target, Traffic traffic, List<Integer> rates, Duration measured,
            Supplier<LineageLag> lineageLag) throws InterruptedException {
        Integer fellBehindAt = null;
        for (int rate : rates) {
            if (fellBehindAt != null && !options.keepGoing()) {
                target.notRun(rate, "not run: the " + BenchReport.count(fellBehindAt) + "/s run did not keep up");
                continue;
            }
            progress(String.format("%s at %s/s: %d s warm-up, %d s measured", traffic.name(), BenchReport.count(rate),
                    options.warmup().toSeconds(), measured.toSeconds()));
            LineageLag lag = lineageLag == null ? null : lineageLag.get();
            Map<String, Long> before = processes.cpuTicks();
            long begin = System.nanoTime();
            LoadResult result = openLoop.run(traffic, rate, options.warmup(), measured,
                    lag == null ? OpenLoopLoad.AnswerListener.NONE : lag);
            result = result.withCpu(SuiteProcesses.coresBetween(before, processes.cpuTicks(), seconds(begin)));
            target.add(result);
            report(result);
            if (lag != null) {
                LineageLag.Result lagResult = lag.await(rate);
                lineage.add(lagResult);
                out.printf("    lineage lag: %d samples, p50 %s ms, p99 %s ms, %d without a row%n", lagResult.samples(),
                        BenchReport.millis(lagResult.percentileMillis(50)),
                        BenchReport.millis(lagResult.percentileMillis(99)),
                        lagResult.missing());
            }
            if (!result.keptUp()) {
                fellBehindAt = rate;
            }
            settle();
        }
    }

    private TargetResults measureNginx() throws Exception {
        Optional<Path> nginx = NginxBaseline.executable();
        if (nginx.isEmpty()) {
            TargetResults absent = new TargetResults(BenchOptions.NGINX, options.targetName(BenchOptions.NGINX));
            absent.absent("skipped: nginx is not on the PATH (apt-get install nginx-light)");
            progress("nginx baseline skipped: nginx is not on the PATH");
            return absent;
        }
        try (NginxBaseline baseline = NginxBaseline.start(nginx.get(), suite.sink().getPort())) {
            progress("nginx " + nginx.get() + " on port " + baseline.port() + " in front of the sink");
            Traffic proxied = Traffic.agentEndpoint(options.targetName(BenchOptions.NGINX), "127.0.0.1",
                    baseline.port(), SuiteFixture.AGENT_PATH, SuiteFixture.ORGANIZATION);
            return measure(BenchOptions.NGINX, proxied, options.rates(), null);
        }
    }

    private void settle() throws InterruptedException {
        if (!processes.awaitQuiet(QUIET_CORES, options.settle())) {
            progress("the suite was still busy after " + options.settle().toSeconds() + " s; going on");
        }
    }

    private void settleQuietly() {
        try {
            settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(LoadResult result) {
        out.println("    " + summary(result));
        if (result.unreadableExample() != null) {
            out.println("    first unreadable answer: " + result.unreadableExample());
        }
    }

    private static String summary(LoadResult result) {
        return String.format("%s/s achieved, p50 %s ms, p90 %s ms, p99 %s ms, errors %s%s",
                BenchReport.count(Math.round(result.throughput())), BenchReport.millis(result.percentileMillis(50)),
                BenchReport.millis(result.percentileMillis(90)), BenchReport.millis(result.percentileMillis(99)),
                BenchReport.errors(result),
                result.lateSends() == 0 ? "" : ", " + result.lateSends() + " sends > 1 ms late");
    }

    private void progress(String line) {
        out.println("[" + LocalTime.now().format(CLOCK) + "] " + line);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
