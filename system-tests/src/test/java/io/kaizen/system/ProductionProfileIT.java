package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;

/**
 * The production profile has no development defaults for what secures it: the packaged service, started with
 * {@code quarkus.profile=prod} and everything else it needs, refuses to start without a JWT issuer and audience.
 */
class ProductionProfileIT {

    @Test
    void registryDoesNotStartInProductionWithoutAJwtIssuerAndAudience() throws Exception {
        DevStack stack = DevStack.shared();
        Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig(Service.REGISTRY));
        config.remove("mp.jwt.verify.issuer");
        config.remove("mp.jwt.verify.audiences");
        config.put("quarkus.profile", "prod");
        config.put("quarkus.http.host", "127.0.0.1");
        int port = Suite.freePort();
        config.put("quarkus.http.port", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC"));
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", ProjectLayout.locate().serviceJar(Service.REGISTRY).toString()));
        Path log = Path.of("target", "prod-profile", "registry-service.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("MP_JWT_VERIFY_ISSUER");
        builder.environment().remove("MP_JWT_VERIFY_AUDIENCES");

        Process registry = builder.start();
        try {
            // it normally exits within seconds; once it listens it has started without the settings, and the test
            // fails then instead of waiting. The deadline only guards against a process that does neither.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!registry.waitFor(250, TimeUnit.MILLISECONDS)) {
                if (listening(port)) {
                    fail("registry-service started in the prod profile without a JWT issuer and audience; log: " + log);
                }
                if (System.nanoTime() > deadline) {
                    fail("registry-service neither exited nor started within 3 minutes; log: " + log);
                }
            }
        } finally {
            if (registry.isAlive()) {
                registry.destroyForcibly().waitFor();
            }
        }
        assertThat(registry.exitValue()).isNotZero();
        assertThat(Files.readString(log))
                .contains("mp.jwt.verify.issuer (MP_JWT_VERIFY_ISSUER) is not set")
                .contains("mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set");
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
