package io.kaizen.devstack;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the project's build outputs are: the broker's classpath ({@code deploy/devstack/target/kafka-lib}) and
 * the packaged services. Tests run with the working directory set to their own module, {@code ./kaizen} from
 * the project root, so the root is found by walking up.
 *
 * @param root the project root, the folder holding {@code deploy/devstack} and the service modules
 */
public record ProjectLayout(Path root) {

    /** Project root or {@code deploy/devstack} folder; overrides the search. */
    public static final String HOME_PROPERTY = "kaizen.devstack.home";

    private static final Path DEVSTACK_MODULE = Path.of("deploy", "devstack");

    public ProjectLayout {
        root = root.toAbsolutePath().normalize();
    }

    /**
     * The layout from {@value #HOME_PROPERTY} when set, else the first folder holding {@code deploy/devstack}
     * above the working directory, else above the devstack jar itself.
     */
    public static ProjectLayout locate() {
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            Path dir = Path.of(home).toAbsolutePath().normalize();
            if (Files.isDirectory(dir.resolve(DEVSTACK_MODULE))) {
                return new ProjectLayout(dir);
            }
            if (dir.endsWith(DEVSTACK_MODULE)) {
                return new ProjectLayout(dir.getParent().getParent());
            }
            throw new IllegalStateException(HOME_PROPERTY + "=" + home + " is neither the project root nor its deploy/devstack folder");
        }
        return searchUp(Path.of("").toAbsolutePath())
                .or(() -> codeLocation().flatMap(ProjectLayout::searchUp))
                .map(ProjectLayout::new)
                .orElseThrow(() -> new IllegalStateException("cannot find the project root (a folder with deploy/devstack) above "
                        + Path.of("").toAbsolutePath() + "; set -D" + HOME_PROPERTY));
    }

    public Path devstackModule() {
        return root.resolve(DEVSTACK_MODULE);
    }

    /** The broker's runtime jars, copied there by the devstack build. */
    public Path kafkaLib() {
        Path lib = devstackModule().resolve("target").resolve("kafka-lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build the devstack first (./mvnw -pl deploy/devstack install -DskipTests)");
        }
        return lib;
    }

    public Path serviceJar(Service service) {
        return root.resolve(service.module()).resolve("target").resolve("quarkus-app").resolve("quarkus-run.jar");
    }

    /** Where {@code ./kaizen up} keeps its data, logs and keys. */
    public Path localStackRoot() {
        return root.resolve(".kaizen");
    }

    private static Optional<Path> searchUp(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(DEVSTACK_MODULE))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(ProjectLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
