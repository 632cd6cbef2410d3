package io.kaizen.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.platform.PlatformEmulators;

/**
 * The {@code key=value} arguments of {@code ./kaizen bench}, each with its default; {@code quick} is a short
 * functional run (two rates, a few seconds each).
 *
 * @param rates            open-loop rates per second of every target
 * @param decisionRates    open-loop rates of the decision endpoint (its goal is 10,000/s)
 * @param platformRates    open-loop rates of the governed invoke of each messaging platform, against its emulator
 * @param warmup           load at the same rate before each measurement, not recorded
 * @param measure          the recorded part of each open-loop run
 * @param platformMeasure  the recorded part of each open-loop run of a platform target
 * @param maxSeconds       the recorded part of each closed-loop run (after {@code warmup})
 * @param maxConnections   connections of the closed-loop run, each sending its next request as soon as the last one
 *                         is answered
 * @param connections      connection pool of the open-loop runs
 * @param agents           agents of the "200 agents" rows
 * @param lineageEvery     one invoke in this many is followed to its lineage row
 * @param timeout          a request not answered within this time is an error
 * @param settle           longest wait for the suite to go quiet between targets
 * @param keepGoing        run the higher rates of a target that could not keep up with a lower one
 * @param targets          which targets to run
 * @param results          where the JSON report is written
 * @param lineageEvents    events of the lineage ingest run, then rows of the export
 * @param lineageRate      rate of the lineage lag run, events per second
 * @param suiteWarmup      closed-loop governed invokes before the first measured target that calls agents, not
 *                         recorded, so that the services' second compiler (C2) has compiled their hot code; zero for
 *                         none
 * @param lineageWarmup    events of an ingest for an organisation of its own before the lineage runs, not recorded;
 *                         zero for none
 */
record BenchOptions(List<Integer> rates, List<Integer> decisionRates, List<Integer> platformRates, Duration warmup,
        Duration measure, Duration platformMeasure, Duration maxSeconds, int maxConnections, int connections,
        int agents, int lineageEvery, Duration timeout, Duration settle, boolean keepGoing, List<String> targets,
        Path results, int lineageEvents, int lineageRate, Duration suiteWarmup, int lineageWarmup) {

    static final String SINK = "sink";
    static final String NGINX = "nginx";
    static final String INVOKE_ONE = "invoke-1";
    static final String INVOKE_MANY = "invoke-many";
    static final String DECISION_ONE = "decision-1";
    static final String DECISION_MANY = "decision-many";
    static final String LINEAGE = "lineage";
    /** The messaging platforms whose emulators run beside the sink, in the order of their ports. */
    static final List<String> PLATFORMS = PlatformEmulators.rules().stream().map(PlatformRules::platform).toList();
    static final List<String> ALL_TARGETS = Stream.concat(
            Stream.of(SINK, NGINX, INVOKE_ONE, INVOKE_MANY, DECISION_ONE, DECISION_MANY),
            Stream.concat(PLATFORMS.stream().map(BenchOptions::platformTarget), Stream.of(LINEAGE))).toList();

    private static final Map<String, String> DEFAULTS = ordered(
            "rates", "100,250,500,1000",
            "decision-rates", "100,250,500,1000,10000",
            "platform-rates", "100",
            "warmup", "3",
            "seconds", "10",
            "platform-seconds", "5",
            "max-seconds", "10",
            "max-connections", "16",
            "connections", "64",
            "agents", "200",
            "lineage-every", "50",
            "timeout", "10",
            "settle", "60",
            "keep-going", "false",
            "lineage-events", "100000",
            "lineage-rate", "1000",
            "suite-warmup", "300",
            "lineage-warmup", "20000",
            "targets", String.join(",", ALL_TARGETS),
            "results", "bench/results");
    private static final Map<String, String> QUICK = ordered(
            "rates", "100,500",
            "decision-rates", "100,500",
            "warmup", "1",
            "seconds", "3",
            "platform-seconds", "3",
            "max-seconds", "3",
            "settle", "20",
            "lineage-events", "5000",
            "lineage-rate", "200",
            "suite-warmup", "10",
            "lineage-warmup", "1000");

    /** Keys and values in turn, in the order usage() prints them. */
    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static String usage() {
        StringBuilder text = new StringBuilder("usage: ./kaizen bench [quick] [key=value ...]\n  defaults:");
        DEFAULTS.forEach((key, value) -> text.append(' ').append(key).append('=').append(value));
        text.append("\n  quick:   ");
        QUICK.forEach((key, value) -> text.append(' ').append(key).append('=').append(value));
        text.append("\n  durations are seconds; targets: ").append(String.join(",", ALL_TARGETS));
        return text.toString();
    }

    /** @throws IllegalArgumentException naming the argument that is not understood */
    static BenchOptions parse(List<String> args, Path projectRoot) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        if (args.contains("quick")) {
            values.putAll(QUICK);
        }
        for (String arg : args) {
            if (arg.equals("quick")) {
                continue;
            }
            String[] pair = arg.split("=", 2);
            if (pair.length != 2 || !DEFAULTS.containsKey(pair[0])) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
            values.put(pair[0], pair[1]);
        }
        List<String> targets = Arrays.stream(values.get("targets").split(",")).map(String::strip).toList();
        for (String target : targets) {
            if (!ALL_TARGETS.contains(target)) {
                throw new IllegalArgumentException("unknown target '" + target + "'; targets are " + ALL_TARGETS);
            }
        }
        Path results = Path.of(values.get("results"));
        return new BenchOptions(rates(values, "rates"), rates(values, "decision-rates"),
                rates(values, "platform-rates"), seconds(values, "warmup"), seconds(values, "seconds"),
                seconds(values, "platform-seconds"),
                seconds(values, "max-seconds"), positive(values, "max-connections"),
                positive(values, "connections"), positive(values, "agents"), positive(values, "lineage-every"),
                seconds(values, "timeout"), seconds(values, "settle"), bool(values, "keep-going"), targets,
                results.isAbsolute() ? results : projectRoot.resolve(results), positive(values, "lineage-events"),
                positive(values, "lineage-rate"),
                Duration.ofSeconds(wholeNumber(values, "suite-warmup", 0, "a whole number, zero or more")),
                wholeNumber(values, "lineage-warmup", 0, "a whole number, zero or more"));
    }

    /** The row label of a target in the report. */
    String targetName(String key) {
        return switch (key) {
            case SINK -> "sink called directly";
            case NGINX -> "nginx limit_req → sink";
            case INVOKE_ONE -> "governed invoke, 1 agent";
            case INVOKE_MANY -> "governed invoke, " + agents + " agents";
            case DECISION_ONE -> "decision endpoint, 1 agent";
            case DECISION_MANY -> "decision endpoint, " + agents + " agents";
            case LINEAGE -> "lineage ingest, lag and export";
            default -> {
                String platform = platformOf(key);
                if (platform == null) {
                    throw new IllegalArgumentException("unknown target " + key);
                }
                yield "governed invoke, " + platform + " emulator";
            }
        };
    }

    /** The target of the governed invoke of one platform's agent: {@code invoke-slack}, … */
    static String platformTarget(String platform) {
        return "invoke-" + platform;
    }

    /** The platform of a platform target, or null for any other target. */
    static String platformOf(String key) {
        return PLATFORMS.stream().filter(platform -> platformTarget(platform).equals(key)).findFirst().orElse(null);
    }

    /** The platforms whose targets run, in the order of {@link #PLATFORMS}. */
    List<String> platformsRun() {
        return PLATFORMS.stream().filter(platform -> runs(platformTarget(platform))).toList();
    }

    /**
     * The rates of the sink called directly: {@code rates}, and the platform rates when a platform target runs, so
     * that every governed run has its baseline at the same rate.
     */
    List<Integer> sinkRates() {
        if (platformsRun().isEmpty() || rates.containsAll(platformRates)) {
            return rates;
        }
        return Stream.concat(rates.stream(), platformRates.stream()).distinct().sorted().toList();
    }

    boolean runs(String target) {
        return targets.contains(target);
    }

    /** The options as given, for the JSON report. */
    Map<String, Object> describe() {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("rates", rates);
        described.put("decision_rates", decisionRates);
        described.put("platform_rates", platformRates);
        described.put("warmup_seconds", warmup.toSeconds());
        described.put("seconds", measure.toSeconds());
        described.put("platform_seconds", platformMeasure.toSeconds());
        described.put("max_seconds", maxSeconds.toSeconds());
        described.put("max_connections", maxConnections);
        described.put("connections", connections);
        described.put("agents", agents);
        described.put("lineage_every", lineageEvery);
        described.put("timeout_seconds", timeout.toSeconds());
        described.put("keep_going", keepGoing);
        described.put("lineage_events", lineageEvents);
        described.put("lineage_rate", lineageRate);
        described.put("suite_warmup_seconds", suiteWarmup.toSeconds());
        described.put("lineage_warmup_events", lineageWarmup);
        described.put("targets", targets);
        return described;
    }

    private static List<Integer> rates(Map<String, String> values, String key) {
        try {
            List<Integer> rates = Arrays.stream(values.get(key).split(",")).map(String::strip)
                    .map(Integer::parseInt).toList();
            if (rates.stream().anyMatch(rate -> rate <= 0)) {
                throw new NumberFormatException();
            }
            return rates;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be positive whole numbers separated by commas, got '"
                    + values.get(key) + "'");
        }
    }

    private static Duration seconds(Map<String, String> values, String key) {
        return Duration.ofSeconds(positive(values, key));
    }

    private static int positive(Map<String, String> values, String key) {
        return wholeNumber(values, key, 1, "a positive whole number");
    }

    /** {@code key}'s value, a whole number of at least {@code least}, which {@code described} names in the refusal. */
    private static int wholeNumber(Map<String, String> values, String key, int least, String described) {
        try {
            int value = Integer.parseInt(values.get(key).strip());
            if (value >= least) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " must be " + described + ", got '" + values.get(key) + "'");
    }

    private static boolean bool(Map<String, String> values, String key) {
        String value = values.get(key).strip();
        if (!Set.of("true", "false").contains(value)) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }
}
