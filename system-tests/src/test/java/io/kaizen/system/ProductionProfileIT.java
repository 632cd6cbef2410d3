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
 * {@code quarkus.profile=prod} and everything else it needs, refuses to start without a JWT issuer and audience, and
 * approval-service without the key that signs its approver links.
 */
class ProductionProfileIT {

    @Test
    void registryDoesNotStartInProductionWithoutAJwtIssuerAndAudience() throws Exception {
        Map<String, String> config = new LinkedHashMap<>(DevStack.shared().serviceConfig(Service.REGISTRY));
        config.remove("mp.jwt.verify.issuer");
        config.remove("mp.jwt.verify.audiences");
        String log = refusedToStart(Service.REGISTRY, config, "MP_JWT_VERIFY_ISSUER", "MP_JWT_VERIFY_AUDIENCES");
        assertThat(log)
                .contains("mp.jwt.verify.issuer (MP_JWT_VERIFY_ISSUER) is not set")
                .contains("mp.jwt.verify.audiences (MP_JWT_VERIFY_AUDIENCES) is not set");
    }

    @Test
    void approvalServiceDoesNotStartInProductionWithoutItsLinkKey() throws Exception {
        Map<String, String> config = new LinkedHashMap<>(DevStack.shared().serviceConfig(Service.APPROVAL));
        config.remove("kaizen.approvals.link-key");
        String log = refusedToStart(Service.APPROVAL, config, "KAIZEN_APPROVALS_LINK_KEY");
        assertThat(log).contains("kaizen.approvals.link-key (env KAIZEN_APPROVALS_LINK_KEY) is not set");
    }

    /** Starts the packaged service in the prod profile without the variables named; its log, once it exited. */
    private static String refusedToStart(Service service, Map<String, String> stackConfig, String... unset)
            throws Exception {
        Map<String, String> config = new LinkedHashMap<>(stackConfig);
        config.put("quarkus.profile", "prod");
        config.put("quarkus.http.host", "127.0.0.1");
        int port = Suite.freePort();
        config.put("quarkus.http.port", Integer.toString(port));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC"));
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", ProjectLayout.locate().serviceJar(service).toString()));
        Path log = Path.of("target", "prod-profile", service.module() + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        for (String variable : unset) {
            builder.environment().remove(variable);
        }

        Process process = builder.start();
        try {
            // it normally exits within seconds; once it listens it has started without the settings, and the test
            // fails then instead of waiting. The deadline only guards against a process that does neither.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!process.waitFor(250, TimeUnit.MILLISECONDS)) {
                if (listening(port)) {
                    fail(service.module() + " started in the prod profile without " + String.join(", ", unset)
                            + "; log: " + log);
                }
                if (System.nanoTime() > deadline) {
                    fail(service.module() + " neither exited nor started within 3 minutes; log: " + log);
                }
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
        }
        assertThat(process.exitValue()).isNotZero();
        return Files.readString(log);
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
