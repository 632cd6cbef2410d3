package io.kaizen.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.kaizen.devstack.DevKeys;
import io.kaizen.devstack.Main;
import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.platform.PlatformEmulators;

/**
 * The suite {@code ./kaizen up} runs from this project, as its state folder ({@code .kaizen/}) describes it: the
 * addresses in {@code stack.env}, the devstack's pid in {@code stack.pid}, and the development keys that sign
 * JWTs and hold the service token.
 */
record LocalSuite(ProjectLayout layout, long stackPid, URI router, URI sink, String kafkaBootstrap, DevKeys keys,
        Map<String, URI> services) {

    private static final Duration TOKEN_TTL = Duration.ofHours(4);

    /** @throws IllegalStateException when no suite is running from this project */
    static LocalSuite connect(ProjectLayout layout) {
        Path root = layout.localStackRoot();
        Path envFile = root.resolve("stack.env");
        Path pidFile = root.resolve("stack.pid");
        if (!Files.isRegularFile(envFile) || !Files.isRegularFile(pidFile)) {
            throw new IllegalStateException("no suite is running from " + root + "; start one with ./kaizen up");
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
            if (ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true)) {
                throw new IllegalStateException("the suite of " + root + " (pid " + pid + ") is not running; start it "
                        + "with ./kaizen up");
            }
            Map<String, String> env = new HashMap<>();
            for (String line : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return new LocalSuite(layout, pid, URI.create(required(env, "KAIZEN_ROUTER_URL")),
                    URI.create(required(env, "KAIZEN_SINK_URL")), required(env, "KAIZEN_KAFKA_BOOTSTRAP"),
                    DevKeys.load(root.resolve("keys")), services(env));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read the suite's state in " + root + ": " + e.getMessage(), e);
        }
    }

    /** A development JWT of an organisation owner, as {@code ./kaizen token --org ORG --roles org_owner} makes. */
    String ownerToken(String organizationId) {
        return keys.token(organizationId, List.of("org_owner"), "kaizen-bench", null, TOKEN_TTL);
    }

    /**
     * The emulator of a messaging platform: {@code ./kaizen up} runs them on fixed ports beside the sink, in the
     * order of {@link PlatformEmulators#rules()}.
     */
    URI emulator(String platform) {
        List<String> platforms = PlatformEmulators.rules().stream().map(PlatformRules::platform).toList();
        int index = platforms.indexOf(platform);
        if (index < 0) {
            throw new IllegalArgumentException("no emulator for platform " + platform + "; there are " + platforms);
        }
        return URI.create("http://" + sink.getHost() + ":" + (Main.EMULATOR_BASE_PORT + index));
    }

    String serviceToken() {
        return keys.serviceToken();
    }

    /** governance-service's own address (its internal decision endpoint is not routed). */
    URI governance() {
        return services.get(Service.GOVERNANCE.module());
    }

    /** Each service's own address by module, from {@code KAIZEN_<SHORT NAME>_URL}. */
    private static Map<String, URI> services(Map<String, String> env) {
        Map<String, URI> services = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            services.put(service.module(),
                    URI.create(required(env, "KAIZEN_" + service.shortName().toUpperCase(Locale.ROOT) + "_URL")));
        }
        return services;
    }

    private static String required(Map<String, String> env, String key) {
        String value = env.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(key + " is missing from stack.env");
        }
        return value;
    }
}
