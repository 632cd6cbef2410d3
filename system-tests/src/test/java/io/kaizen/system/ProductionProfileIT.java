package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.kaizen.common.config.ProductionSetting;
import io.kaizen.common.config.ProductionSettings;
import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.vertx.core.json.JsonObject;

/**
 * The production profile refuses development settings (common's {@code ProductionSettings}, whose unit test goes
 * through every setting of every service): here each packaged service is started with
 * {@code quarkus.profile=prod}, everything production needs, and one development setting of its own, and must exit
 * naming that setting and nothing else; its log is JSON, one object per line, as production's is. Then each is
 * started with the devstack's development configuration and must name every setting production checks for it. And a
 * service started with production's configuration logs, for a request, a JSON record carrying the request's trace id.
 */
class ProductionProfileIT {

    /** A production-ready secret, as an operator's secret manager would make it. */
    private static final String SECRET = "prod-profile-it-" + "k".repeat(32);

    @ParameterizedTest
    @EnumSource(Service.class)
    void eachServiceRefusesItsDevelopmentSettingByNameAndLogsJson(Service service) throws Exception {
        Map<String, String> config = production(service);
        String refusal = switch (service) {
            case REGISTRY -> {
                config.remove("kaizen.crypto.keys");
                yield "kaizen.crypto.keys (env KAIZEN_CRYPTO_KEYS or EXTERNAL_AGENT_ENCRYPTION_KEY) is not set: agent"
                        + " credentials cannot be encrypted";
            }
            case GOVERNANCE -> {
                config.put("mp.jwt.verify.issuer", "kaizen-dev");
                yield "mp.jwt.verify.issuer (env MP_JWT_VERIFY_ISSUER) is the development issuer kaizen-dev: set your"
                        + " identity provider's issuer";
            }
            case LINEAGE -> {
                // its application.properties' local default is left in place
                config.remove("kaizen.lineage.audit.pseudonym-key");
                yield "kaizen.lineage.audit.pseudonym-key (env KAIZEN_LINEAGE_AUDIT_PSEUDONYM_KEY) is a placeholder"
                        + " or a development value";
            }
            case APPROVAL -> {
                config.remove("kaizen.approvals.link-key");
                yield "kaizen.approvals.link-key (env KAIZEN_APPROVALS_LINK_KEY) is not set: the key that signs approver"
                        + " links";
            }
            case GATEWAY -> {
                config.put("kaizen.egress.allow-loopback", "true");
                yield "kaizen.egress.allow-loopback (env KAIZEN_EGRESS_ALLOW_LOOPBACK) is true: outbound calls could reach"
                        + " this machine's own services";
            }
        };

        List<String> log = refusedToStart(service, config);

        String prefix = service.module() + " refuses to start with development settings outside the dev and test"
                + " profiles: ";
        List<JsonObject> records = new ArrayList<>();
        for (String line : log) {
            // Quarkus prints a configuration failure to stderr as plain text, besides the service's own record of it
            if (!line.isBlank() && !line.startsWith(prefix)) {
                assertThat(line).as("a JSON log line of " + service.module()).startsWith("{");
                records.add(new JsonObject(line));
            }
        }
        assertThat(records).as(service.module() + " logged").isNotEmpty()
                .allSatisfy(record -> assertThat(record.getString("level")).isNotBlank())
                .allSatisfy(record -> assertThat(record.getValue("mdc")).as("the MDC of each record").isNotNull());
        // the one development setting is the only one refused: the rest of the configuration is production's
        assertThat(records).filteredOn(record -> "ERROR".equals(record.getString("level")))
                .extracting(record -> record.getString("message"))
                .contains(prefix + refusal);
        assertThat(log).contains(prefix + refusal);
    }

    /**
     * The devstack's own configuration (its issuer, audience and key file, loopback and plain-http egress, service
     * addresses on this machine) without the secrets it generates for each run: in the prod profile each service must
     * exit naming every setting production checks for it, in one refusal.
     */
    @ParameterizedTest
    @EnumSource(Service.class)
    void eachServiceNamesEveryDevelopmentSettingItChecksInOneRefusal(Service service) throws Exception {
        Map<String, String> config = new LinkedHashMap<>(DevStack.shared().serviceConfig(service));
        config.put("quarkus.profile", "prod");
        config.remove("kaizen.internal.service-token");
        config.remove("kaizen.crypto.keys");

        List<String> log = refusedToStart(service, config);

        String prefix = service.module() + " refuses to start with development settings outside the dev and test"
                + " profiles: ";
        String refusal = log.stream().filter(line -> line.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError(service.module() + " gave no refusal: " + log));
        List<ProductionSetting> checked = ProductionSettings.settings(service.module());
        // the development defaults every service must refuse, whatever ProductionSettings lists
        assertThat(checked).as("the settings production checks for " + service.module())
                .extracting(ProductionSetting::property)
                .contains("mp.jwt.verify.issuer", "mp.jwt.verify.audiences", "mp.jwt.verify.publickey.location",
                        "kaizen.internal.service-token", "kaizen.egress.allow-loopback", "kaizen.egress.https-only");
        for (ProductionSetting setting : checked) {
            assertThat(refusal.split("; ")).as(service.module() + "'s refusal")
                    .filteredOn(sentence -> sentence.contains(setting.property() + " (env " + setting.environment()
                            + ") "))
                    .hasSize(1);
        }
    }

    /**
     * A production service logs JSON with the trace of the request it logs for: registry-service, whose governance
     * address is not reachable, refuses a registration (503) and logs why, and that record carries the caller's trace
     * id in its MDC.
     */
    @Test
    void aRecordLoggedForARequestCarriesItsTraceIdInProduction() throws Exception {
        Launched launched = launch(Service.REGISTRY, production(Service.REGISTRY), "registry-service-traced");
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                assertThat(launched.process().isAlive()).as("registry-service started; log: " + launched.log())
                        .isTrue();
                return listening(launched.port());
            });
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            String token = DevStack.shared().keys().tokenWithClaims("org_prod_it", List.of("org_owner"), "alice",
                    Map.of("iss", "https://login.example.com/"), Duration.ofMinutes(10), "kaizen-external-agents");
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + launched.port() + "/api/v1/external-agents"))
                    .header("Authorization", "Bearer " + token)
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                    .header("Content-Type", "application/json")
                    // where a name lookup hangs rather than fails, the 503 comes after registry's client timeout
                    .timeout(Duration.ofMinutes(2))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"Traced\", \"platform\": \"custom_http\","
                            + " \"endpoint_url\": \"https://93.184.216.34/hook\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readAllLines(launched.log()))
                    .filteredOn(line -> line.startsWith("{") && line.contains("governance did not take the settings"))
                    .singleElement()
                    .satisfies(line -> assertThat(new JsonObject(line).getJsonObject("mdc").getString("traceId"))
                            .isEqualTo(traceId)));
        } finally {
            launched.stop();
        }
    }

    /** The devstack's connections, with production's settings instead of its local ones. */
    private static Map<String, String> production(Service service) {
        DevStack stack = DevStack.shared();
        Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig(service));
        config.put("quarkus.profile", "prod");
        config.put("mp.jwt.verify.issuer", "https://login.example.com/");
        config.put("mp.jwt.verify.audiences", "kaizen-external-agents");
        // the issuer's public key inline: the devstack's key file has its private key beside it
        config.remove("mp.jwt.verify.publickey.location");
        config.put("mp.jwt.verify.publickey", stack.keys().publicKeyBase64());
        config.put("kaizen.egress.allow-loopback", "false");
        config.put("kaizen.egress.https-only", "true");
        // each service's own key (a service refuses properties under its prefixes that it does not know)
        switch (service) {
            case REGISTRY -> config.put("kaizen.crypto.keys", stack.keys().fernetKey());
            case LINEAGE -> config.put("kaizen.lineage.audit.pseudonym-key", SECRET);
            case APPROVAL -> config.put("kaizen.approvals.link-key", SECRET);
            case GATEWAY -> config.put("kaizen.webhooks.encryption-key", SECRET);
            default -> {
            }
        }
        for (Service other : Service.values()) {
            // addresses of the cluster, never resolved: the service refuses before it calls another
            config.put("quarkus.rest-client." + other.shortName() + ".url",
                    "http://" + other.module() + ".kaizen.svc.cluster.local:" + other.defaultPort());
        }
        return config;
    }

    /** A packaged service started with {@code config} only, on {@code port}, its output in {@code log}. */
    private record Launched(Process process, int port, Path log) {

        /** Asks the service to stop if it still runs, and kills it if it has not within 30 s. */
        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static Launched launch(Service service, Map<String, String> config, String logName) throws IOException {
        Map<String, String> startup = new LinkedHashMap<>(config);
        startup.put("quarkus.http.host", "127.0.0.1");
        int port = Suite.freePort();
        startup.put("quarkus.http.port", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC"));
        startup.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", ProjectLayout.locate().serviceJar(service).toString()));
        Path log = Path.of("target", "prod-profile", logName + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // nothing from the environment of the build: the original's and the suite's variables would set keys
        builder.environment().keySet().removeIf(name -> name.startsWith("KAIZEN_") || name.startsWith("MP_JWT_")
                || name.startsWith("EXTERNAL_AGENT_") || name.startsWith("QUARKUS_"));
        return new Launched(builder.start(), port, log);
    }

    /** Starts the packaged service with {@code config} only; its log lines, once it exited. */
    private static List<String> refusedToStart(Service service, Map<String, String> config) throws Exception {
        Launched launched = launch(service, config, service.module());
        Process process = launched.process();
        int port = launched.port();
        Path log = launched.log();
        try {
            // it normally exits within seconds; once it listens it has started with the setting, and the test fails
            // then instead of waiting. The deadline only guards against a process that does neither.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!process.waitFor(250, TimeUnit.MILLISECONDS)) {
                if (listening(port)) {
                    fail(service.module() + " started in the prod profile with a development setting; log: " + log);
                }
                if (System.nanoTime() > deadline) {
                    fail(service.module() + " neither exited nor started within 3 minutes; log: " + log);
                }
            }
        } finally {
            launched.stop();
        }
        assertThat(process.exitValue()).isNotZero();
        return Files.readAllLines(log);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
