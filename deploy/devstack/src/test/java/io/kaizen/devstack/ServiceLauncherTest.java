package io.kaizen.devstack;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Launches a stand-in "quarkus-run.jar" as a real process: configuration, readiness, logs and stop. */
class ServiceLauncherTest {

    @TempDir
    static Path project;

    private static ProjectLayout layout;
    private static DevStack stack;

    @BeforeAll
    static void packageAFakeService() throws IOException {
        Files.createDirectories(project.resolve("deploy/devstack"));
        layout = new ProjectLayout(project);
        Path jar = layout.serviceJar(Service.LINEAGE);
        Files.createDirectories(jar.getParent());
        Path testClasses = Path.of(FakeQuarkusService.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeQuarkusService.class.getName());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, testClasses.toUri().toString());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest-only jar, like Quarkus's own launcher jar
        }
        stack = DevStack.shared();
    }

    @Test
    void startsTheServiceWithTheStackConfigurationAndStopsIt() throws Exception {
        int port = FreePort.pick(1).get(0);
        Path logs = project.resolve("logs");
        ServiceLauncher launcher = ServiceLauncher.start(stack, layout, Service.LINEAGE, port, logs, Map.of("fake.ready-after-ms", "700"));
        try {
            launcher.awaitReady(Duration.ofSeconds(30));

            String config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(launcher.url() + "/config")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(config)
                    .contains("quarkus.http.port=" + port + "\n")
                    .contains("quarkus.datasource.jdbc.url=" + stack.jdbcUrl("lineage") + "\n")
                    .contains("quarkus.datasource.reactive.url=" + stack.reactiveUrl("lineage") + "\n")
                    .contains("kafka.bootstrap.servers=" + stack.kafkaBootstrap() + "\n")
                    .contains("kaizen.internal.service-token=" + stack.serviceToken() + "\n")
                    .contains("quarkus.rest-client.lineage.url=http://127.0.0.1:" + port + "\n")
                    .contains("env.EXTERNAL_AGENT_ENCRYPTION_KEY=" + stack.keys().fernetKey() + "\n");
            assertThat(stack.serviceUrl(Service.LINEAGE)).hasValue(URI.create("http://127.0.0.1:" + port));
            assertThat(stack.router().upstreams()).containsEntry("lineage", URI.create("http://127.0.0.1:" + port));
            assertThat(Files.readString(logs.resolve("lineage-service.log"))).contains("fake service listening on " + port);
        } finally {
            launcher.stop();
        }
        assertThat(launcher.isAlive()).isFalse();
        assertThat(ProcessHandle.of(launcher.pid())).isEmpty();
    }

    @Test
    void reportsTheLogWhenTheServiceDiesBeforeItIsReady() {
        ServiceLauncher launcher = ServiceLauncher.start(stack, layout, Service.LINEAGE, FreePort.pick(1).get(0), project.resolve("logs"),
                Map.of("fake.exit", "3"));
        try {
            assertThatThrownBy(() -> launcher.awaitReady(Duration.ofSeconds(30)))
                    .hasMessageContaining("lineage-service exited before it was ready")
                    .hasMessageContaining("fake service failing on purpose with status 3");
        } finally {
            launcher.stop();
        }
    }

    @Test
    void theSupervisorStartsAServiceThatExitedOnItsOwnAgainOnItsPortAndNothingOnceClosed() throws Exception {
        int port = FreePort.pick(1).get(0);
        Path logs = project.resolve("logs");
        ServiceLauncher first = ServiceLauncher.start(stack, layout, Service.LINEAGE, port, logs, Map.of());
        first.awaitReady(Duration.ofSeconds(30));
        List<String> said = new CopyOnWriteArrayList<>();
        ServiceSupervisor supervisor = ServiceSupervisor.watch(Map.of(Service.LINEAGE, first),
                service -> ServiceLauncher.start(stack, layout, service, port, logs, Map.of()), said::add);
        ServiceLauncher second = first;
        try {
            // as a crash, or a JVM that ran out of heap and exited, would end it
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly();
            String readyAgain = "lineage-service ready again on http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!said.contains(readyAgain) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            second = supervisor.launcher(Service.LINEAGE);
            assertThat(second).isNotSameAs(first);
            assertThat(second.pid()).isNotEqualTo(first.pid());
            assertThat(second.port()).isEqualTo(port);
            assertThat(ready(port)).isTrue();
            // exited within a minute of its start, so after a second's wait
            assertThat(said).containsExactly("lineage-service exited; starting it again in 1 s (its log: "
                    + logs.resolve("lineage-service.log") + ")", readyAgain);

            supervisor.close();
            ServiceLauncher closedOver = second;
            ProcessHandle process = ProcessHandle.of(closedOver.pid()).orElseThrow();
            process.destroyForcibly();
            process.onExit().get(30, TimeUnit.SECONDS);
            // a supervisor still running would have replaced the launcher 2 s after this exit (its back-off, doubled
            // from 1 s: the second exit within a minute of a start), before the new process is even ready
            Thread.sleep(5000);
            assertThat(supervisor.launcher(Service.LINEAGE)).isSameAs(closedOver);
            assertThat(ready(port)).isFalse();
        } finally {
            supervisor.close();
            second.stop();
            first.stop();
        }
    }

    private static boolean ready(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void servicesOnTheInvokePathRunBothCompilersAndTheOthersTheFirstTierOnly() {
        assertThat(ServiceLauncher.FIRST_TIER_ONLY).containsExactly("-XX:TieredStopAtLevel=1");
        assertThat(ServiceLauncher.JVM_OPTIONS).noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
        for (Service service : Service.values()) {
            List<String> options = ServiceLauncher.jvmOptions(service);
            if (service.invokePath()) {
                assertThat(options).as(service.module()).isEqualTo(ServiceLauncher.JVM_OPTIONS);
            } else {
                assertThat(options).as(service.module()).startsWith(ServiceLauncher.JVM_OPTIONS.toArray(String[]::new))
                        .endsWith("-XX:TieredStopAtLevel=1");
            }
        }
        assertThat(Service.values()).filteredOn(Service::invokePath)
                .containsExactlyInAnyOrder(Service.GATEWAY, Service.GOVERNANCE, Service.LINEAGE);
    }

    @Test
    void refusesAServiceThatWasNotPackaged() {
        assertThatThrownBy(() -> ServiceLauncher.start(stack, layout, Service.GATEWAY, 1, project.resolve("logs"), Map.of()))
                .hasMessageContaining("adapter-gateway/target/quarkus-app/quarkus-run.jar is missing");
    }
}
