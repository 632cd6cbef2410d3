package io.kaizen.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kaizen.common.config.ProductionSetting;
import io.kaizen.common.config.ProductionSettings;
import io.kaizen.common.events.Topics;
import io.kaizen.common.metrics.MetricNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Builds every overlay of deploy/k8s and checks the manifests, typed, against what the code and the services'
 * configuration say: ports, images, probes, security contexts, resources against the JVM options, every Secret and
 * ConfigMap key referenced, every Kafka topic, the ingress against the devstack's route table, and the network
 * policies.
 */
class K8sManifestsTest {

    /** module → short name (the name of its REST client, of its database and in routes.txt). */
    private static final Map<String, String> SERVICES = new LinkedHashMap<>();
    static {
        SERVICES.put("registry-service", "registry");
        SERVICES.put("governance-service", "governance");
        SERVICES.put("lineage-service", "lineage");
        SERVICES.put("approval-service", "approval");
        SERVICES.put("adapter-gateway", "gateway");
    }
    /** The settings a service cannot run without, and which must come from a Secret. */
    private static final List<String> SECRET_SETTINGS = List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
            "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_REACTIVE_URL", "KAFKA_BOOTSTRAP_SERVERS",
            "MP_JWT_VERIFY_PUBLICKEY", "KAIZEN_INTERNAL_SERVICE_TOKEN");
    private static final Map<String, List<String>> OWN_SECRET_SETTINGS = Map.of(
            "registry-service", List.of("EXTERNAL_AGENT_ENCRYPTION_KEY"),
            "governance-service", List.of("QUARKUS_REDIS_HOSTS"),
            "lineage-service", List.of("KAIZEN_LINEAGE_AUDIT_PSEUDONYM_KEY"),
            "approval-service", List.of("KAIZEN_APPROVALS_LINK_KEY"),
            "adapter-gateway", List.of("KAIZEN_WEBHOOKS_ENCRYPTION_KEY", "QUARKUS_MAILER_USERNAME", "QUARKUS_MAILER_PASSWORD"));
    private static final List<String> OVERLAYS = List.of("dev", "prod");
    private static final String PLACEHOLDER = "REPLACE_ME";

    private static Path root;
    private static final Map<String, Manifests> BUILT = new HashMap<>();

    @BeforeAll
    static void build() {
        root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("deploy/devstack/src/main/resources/routes.txt"))) {
            root = root.getParent();
            assertThat(root).as("the repository's root above " + Path.of("").toAbsolutePath()).isNotNull();
        }
        if (Manifests.kubectl().isEmpty()) {
            System.out.println("kubectl is not used: the overlays are not built with Kustomize, only read");
        }
        for (String overlay : OVERLAYS) {
            BUILT.put(overlay, Manifests.load(root.resolve("deploy/k8s/overlays").resolve(overlay)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceRunsItsImageOnItsConfiguredPort(String overlay) {
        Manifests m = BUILT.get(overlay);
        assertThat(m.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(SERVICES.keySet());
        for (String module : SERVICES.keySet()) {
            int port = httpPort(module);
            Deployment deployment = m.named(Deployment.class, module).orElseThrow();
            Container container = onlyContainer(deployment);
            assertThat(container.getImage()).as(module + " image").matches("[^:]+/" + Pattern.quote(module) + "(:[\\w.-]+)?");
            assertThat(container.getPorts()).as(module + " container ports").singleElement()
                    .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port))
                    .satisfies(p -> assertThat(p.getName()).isEqualTo("http"));
            assertThat(env(container).get("QUARKUS_HTTP_PORT")).as(module + " QUARKUS_HTTP_PORT")
                    .extracting(EnvVar::getValue).isEqualTo(Integer.toString(port));
            Service service = m.named(Service.class, module).orElseThrow(() -> new AssertionError("no Service " + module));
            assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
            assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getPort()).isEqualTo(port);
                assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
        }
    }

    @Test
    void everyServiceHasANonRootDockerfileForItsQuarkusApp() throws IOException {
        for (String module : SERVICES.keySet()) {
            String dockerfile = Files.readString(root.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));
            assertThat(dockerfile).as(module + " Dockerfile.jvm")
                    .contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/")
                    .contains("JAVA_APP_JAR=\"/deployments/quarkus-run.jar\"")
                    .containsPattern("(?m)^EXPOSE " + httpPort(module) + "$");
            Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
            String last = null;
            while (user.find()) {
                last = user.group(1);
            }
            assertThat(last).as(module + " runs as").isNotNull().isNotIn("0", "root").matches("\\d+");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void probesAskTheHealthEndpoints(String overlay) {
        for (Deployment deployment : BUILT.get(overlay).all(Deployment.class)) {
            Container c = onlyContainer(deployment);
            String name = deployment.getMetadata().getName();
            assertProbe(name + " startup", c.getStartupProbe(), "/q/health/started");
            assertProbe(name + " readiness", c.getReadinessProbe(), "/q/health/ready");
            assertProbe(name + " liveness", c.getLivenessProbe(), "/q/health/live");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void containersRunAsNonRootOnAReadOnlyRootFilesystemWithATmpVolume(String overlay) {
        for (Deployment deployment : BUILT.get(overlay).all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(name + " pod runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).as(name + " pod runAsUser").isNotNull().isPositive();
            assertThat(pod.getAutomountServiceAccountToken()).as(name + " service account token").isFalse();
            Container c = onlyContainer(deployment);
            var sc = c.getSecurityContext();
            assertThat(sc.getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
            assertThat(sc.getReadOnlyRootFilesystem()).as(name + " readOnlyRootFilesystem").isTrue();
            assertThat(sc.getAllowPrivilegeEscalation()).as(name + " allowPrivilegeEscalation").isFalse();
            assertThat(sc.getCapabilities().getDrop()).as(name + " capabilities dropped").contains("ALL");
            var tmp = c.getVolumeMounts().stream().filter(v -> v.getMountPath().equals("/tmp")).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " has no /tmp mount"));
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tmp.getName())).findFirst().orElseThrow();
            assertThat(volume.getEmptyDir()).as(name + " /tmp is an emptyDir").isNotNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void resourcesFitTheJvmOptions(String overlay) {
        Manifests m = BUILT.get(overlay);
        List<String> jvmOptions = jvmOptions();
        ConfigMap config = m.named(ConfigMap.class, "kaizen-config").orElseThrow();
        assertThat(config.getData().get("JAVA_OPTS_APPEND").split("\\s+")).as("JAVA_OPTS_APPEND")
                .containsExactlyElementsOf(jvmOptions);
        // what the JVM may reserve beyond native bookkeeping: the heap, metaspace and code cache caps
        long capped = jvmOptions.stream().mapToLong(K8sManifestsTest::cappedBytes).sum();
        Map<String, Boolean> invokePath = invokePathServices();
        for (Deployment deployment : m.all(Deployment.class)) {
            var resources = onlyContainer(deployment).getResources();
            String name = deployment.getMetadata().getName();
            assertThat(invokePath).as("Service.java names " + name).containsKey(name);
            boolean hot = invokePath.get(name);
            BigDecimal request = Quantity.getAmountInBytes(resources.getRequests().get("memory"));
            BigDecimal limit = Quantity.getAmountInBytes(resources.getLimits().get("memory"));
            // off the invoke path the 256 MiB goal holds; with C2 on it a service sits near 300-340 MiB
            assertThat(request).as(name + " memory request").isEqualByComparingTo(BigDecimal.valueOf((hot ? 320L : 256L) << 20));
            assertThat(limit).as(name + " memory limit").isGreaterThanOrEqualTo(BigDecimal.valueOf(capped))
                    .isGreaterThan(request.add(BigDecimal.valueOf(100L << 20)));
            assertThat(resources.getRequests()).as(name + " cpu request").containsKey("cpu");
            // the JVM options are kaizen-config's; a service off the invoke path adds ServiceLauncher.FIRST_TIER_ONLY
            // to them, through Kubernetes' expansion of the variable envFrom defined
            EnvVar options = env(onlyContainer(deployment)).get("JAVA_OPTS_APPEND");
            if (hot) {
                assertThat(options).as(name + " env JAVA_OPTS_APPEND").isNull();
            } else {
                assertThat(options).as(name + " env JAVA_OPTS_APPEND").isNotNull();
                assertThat(options.getValue()).as(name + " JAVA_OPTS_APPEND")
                        .isEqualTo("$(JAVA_OPTS_APPEND) " + String.join(" ", launcherList("FIRST_TIER_ONLY")));
            }
            assertThat(onlyContainer(deployment).getEnvFrom()).extracting(e -> e.getConfigMapRef().getName())
                    .as(name + " reads kaizen-config").anyMatch(n -> n.startsWith("kaizen-config"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyReferencedSecretAndConfigMapKeyExists(String overlay) {
        Manifests m = BUILT.get(overlay);
        for (Deployment deployment : m.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Container c = onlyContainer(deployment);
            for (EnvVar var : c.getEnv()) {
                var from = var.getValueFrom();
                if (from == null) {
                    continue;
                }
                if (from.getSecretKeyRef() != null && !Boolean.TRUE.equals(from.getSecretKeyRef().getOptional())) {
                    Secret secret = m.named(Secret.class, from.getSecretKeyRef().getName())
                            .orElseThrow(() -> new AssertionError(name + " " + var.getName() + ": no Secret " + from.getSecretKeyRef().getName()));
                    assertThat(Manifests.entries(secret)).as(name + " " + var.getName()).containsKey(from.getSecretKeyRef().getKey());
                }
                if (from.getConfigMapKeyRef() != null && !Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional())) {
                    ConfigMap map = m.named(ConfigMap.class, from.getConfigMapKeyRef().getName())
                            .orElseThrow(() -> new AssertionError(name + " " + var.getName() + ": no ConfigMap " + from.getConfigMapKeyRef().getName()));
                    assertThat(map.getData()).as(name + " " + var.getName()).containsKey(from.getConfigMapKeyRef().getKey());
                }
            }
            for (EnvFromSource source : c.getEnvFrom()) {
                if (source.getConfigMapRef() != null) {
                    assertThat(m.named(ConfigMap.class, source.getConfigMapRef().getName())).as(name + " envFrom").isPresent();
                }
                if (source.getSecretRef() != null) {
                    assertThat(m.named(Secret.class, source.getSecretRef().getName())).as(name + " envFrom").isPresent();
                }
            }
            // what the service needs (DevStack.serviceConfig, ServiceLauncher), secrets from Secrets only
            List<String> needed = new ArrayList<>(SECRET_SETTINGS);
            needed.addAll(OWN_SECRET_SETTINGS.getOrDefault(name, List.of()));
            Map<String, EnvVar> env = env(c);
            for (String setting : needed) {
                assertThat(env).as(name + " sets " + setting).containsKey(setting);
                assertThat(env.get(setting).getValueFrom()).as(name + " " + setting + " from a Secret").isNotNull();
                assertThat(env.get(setting).getValueFrom().getSecretKeyRef()).as(name + " " + setting + " from a Secret").isNotNull();
            }
        }
        Map<String, String> config = m.named(ConfigMap.class, "kaizen-config").orElseThrow().getData();
        assertThat(config).containsKeys("MP_JWT_VERIFY_ISSUER", "MP_JWT_VERIFY_AUDIENCES", "KAIZEN_EGRESS_HTTPS_ONLY");
        assertThat(config.get("KAIZEN_EGRESS_ALLOW_LOOPBACK")).isEqualTo("false");
        SERVICES.forEach((module, shortName) -> assertThat(config.get("QUARKUS_REST_CLIENT_" + shortName.toUpperCase() + "_URL"))
                .as("the URL of " + module).isEqualTo("http://" + module + ":" + httpPort(module)));
        assertThat(config.keySet()).as("no secret in the ConfigMap")
                .noneMatch(k -> k.contains("PASSWORD") || k.contains("KEY") || k.contains("TOKEN"));
    }

    @Test
    void prodSecretsAreOnlyPlaceholders() {
        Manifests prod = BUILT.get("prod");
        assertThat(prod.all(Secret.class)).isNotEmpty();
        for (Secret secret : prod.all(Secret.class)) {
            Manifests.entries(secret).forEach((key, value) -> assertThat(value)
                    .as("prod Secret " + secret.getMetadata().getName() + " " + key + " must be a placeholder").contains(PLACEHOLDER));
        }
        Map<String, String> config = prod.named(ConfigMap.class, "kaizen-config").orElseThrow().getData();
        assertThat(config.get("MP_JWT_VERIFY_ISSUER")).contains(PLACEHOLDER);
        assertThat(config.get("MP_JWT_VERIFY_AUDIENCES")).contains(PLACEHOLDER);
        assertThat(config.get("KAIZEN_EGRESS_HTTPS_ONLY")).isEqualTo("true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyTopicTheCodeUsesIsAKafkaTopic(String overlay) {
        Map<String, Map<String, Object>> declared = new HashMap<>();
        for (GenericKubernetesResource topic : BUILT.get(overlay).kind("KafkaTopic")) {
            assertThat(topic.getApiVersion()).isEqualTo("kafka.strimzi.io/v1beta2");
            assertThat(topic.getMetadata().getLabels()).containsKey("strimzi.io/cluster");
            @SuppressWarnings("unchecked") Map<String, Object> spec = (Map<String, Object>) topic.getAdditionalProperties().get("spec");
            String name = (String) spec.getOrDefault("topicName", topic.getMetadata().getName());
            declared.put(name, spec);
            assertThat(((Number) spec.get("partitions")).intValue()).as(name + " partitions").isPositive();
            assertThat(((Number) spec.get("replicas")).intValue()).as(name + " replicas").isPositive();
            @SuppressWarnings("unchecked") Map<String, Object> config = (Map<String, Object>) spec.get("config");
            assertThat(config).as(name + " config").containsKey("retention.ms");
        }
        Set<String> used = new TreeSet<>();
        for (String topic : codeTopics()) {
            used.add(topic);
            used.add(topic + ".dlq"); // every topic has its dead-letter twin (Topics, consumer.FailurePolicy)
        }
        used.addAll(configuredTopics());
        assertThat(declared.keySet()).as("KafkaTopics of " + overlay).containsAll(used);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theIngressRoutesExactlyTheDevstackRouteTable(String overlay) throws IOException {
        List<Ingress> ingresses = BUILT.get(overlay).all(Ingress.class);
        assertThat(ingresses).singleElement();
        Ingress ingress = ingresses.get(0);
        assertThat(ingress.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/use-regex", "true");
        assertThat(ingress.getSpec().getDefaultBackend()).as("no default backend: unknown paths are 404").isNull();
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, String> moduleOf = SERVICES.entrySet().stream().collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        for (String line : Files.readAllLines(root.resolve("deploy/devstack/src/main/resources/routes.txt"))) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] route = trimmed.split("\\s+");
            if (!route[1].equals("-")) {
                expected.put(regex(route[0]), moduleOf.get(route[1]) + ":" + httpPort(moduleOf.get(route[1])));
            }
        }
        Map<String, String> actual = new LinkedHashMap<>();
        assertThat(ingress.getSpec().getRules()).singleElement();
        for (HTTPIngressPath path : ingress.getSpec().getRules().get(0).getHttp().getPaths()) {
            assertThat(path.getPathType()).isEqualTo("ImplementationSpecific");
            String backend = path.getBackend().getService().getName() + ":" + path.getBackend().getService().getPort().getNumber();
            assertThat(actual.put(path.getPath(), backend)).as("duplicate path " + path.getPath()).isNull();
        }
        assertThat(actual).as("ingress paths → service:port, against routes.txt").containsExactlyInAnyOrderEntriesOf(expected);
        // ingress-nginx anchors each expression at the start of the path
        for (String path : actual.keySet()) {
            for (String internal : List.of("/internal", "/internal/", "/internal/v1/credentials/rotate", "/q/health", "/q/metrics")) {
                assertThat(Pattern.compile("^" + path).matcher(internal).find()).as(path + " must not match " + internal).isFalse();
            }
            assertThat(path).doesNotContain("internal");
        }
    }

    /**
     * The ingress routes every path of routes.txt to the service the devstack Router picks (the most specific pattern:
     * more literal segments, then exact before /**), taking its locations as ingress-nginx does: regular expressions
     * anchored at the start, case-insensitive, the longest first. Paths routed to "-" match no location.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theIngressSendsEveryRoutedPathWhereTheDevstackRouterDoes(String overlay) throws IOException {
        List<String[]> routes = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("deploy/devstack/src/main/resources/routes.txt"))) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                routes.add(trimmed.split("\\s+"));
            }
        }
        List<HTTPIngressPath> locations = new ArrayList<>(BUILT.get(overlay).all(Ingress.class).get(0).getSpec().getRules().get(0)
                .getHttp().getPaths());
        locations.sort((a, b) -> Integer.compare(b.getPath().length(), a.getPath().length()));
        Map<String, String> moduleOf = SERVICES.entrySet().stream().collect(Collectors.toMap(Map.Entry::getValue, Map.Entry::getKey));
        for (String[] route : routes) {
            String base = route[0].replaceAll("\\{[^/}]+}", "agt_0123").replace("/**", "");
            List<String> samples = route[0].endsWith("/**") ? List.of(base, base + "/", base + "/agt_0123/x") : List.of(base);
            for (String sample : samples) {
                String expected = routerPick(routes, sample);
                String actual = locations.stream()
                        .filter(l -> Pattern.compile("^" + l.getPath(), Pattern.CASE_INSENSITIVE).matcher(sample).find())
                        .map(l -> l.getBackend().getService().getName())
                        .findFirst().orElse("-");
                assertThat(actual).as(sample).isEqualTo(expected.equals("-") ? "-" : moduleOf.get(expected));
            }
        }
    }

    /** The devstack Router's choice for a path: the most specific matching pattern's service, "-" when none. */
    private static String routerPick(List<String[]> routes, String path) {
        String best = "-";
        long bestScore = -1;
        for (String[] route : routes) {
            if (Pattern.compile("^" + regex(route[0])).matcher(path).find()) {
                String literal = route[0].replace("/**", "");
                List<String> segments = Arrays.stream(literal.split("/")).filter(seg -> !seg.isEmpty()).toList();
                long literals = segments.stream().filter(seg -> !seg.startsWith("{")).count();
                // RouteTable.Route.MOST_SPECIFIC_FIRST: literal segments, then all segments, then exact before /**
                long score = literals * 10_000 + segments.size() * 10L + (route[0].endsWith("/**") ? 0 : 1);
                if (score > bestScore) {
                    best = route[1];
                    bestScore = score;
                }
            }
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void networkPoliciesDenyByDefaultAndLetOnlyTheGatewayOut(String overlay) {
        List<NetworkPolicy> policies = BUILT.get(overlay).all(NetworkPolicy.class);
        assertThat(policies).as("a default deny of ingress and egress for every pod of the suite").anySatisfy(p -> {
            Map<String, String> selector = p.getSpec().getPodSelector().getMatchLabels();
            assertThat(p.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
            assertThat(BUILT.get(overlay).all(Deployment.class)).allSatisfy(d -> assertThat(d.getSpec().getTemplate().getMetadata()
                    .getLabels()).containsAllEntriesOf(selector == null ? Map.of() : selector));
            assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
            assertThat(p.getSpec().getEgress()).isNullOrEmpty();
        });
        Set<Integer> servicePorts = SERVICES.keySet().stream().map(K8sManifestsTest::httpPort).collect(Collectors.toSet());
        for (NetworkPolicy policy : policies) {
            String name = policy.getMetadata().getName();
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                assertThat(rule.getFrom()).as(name + ": an ingress rule without from admits everyone").isNotEmpty();
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertThat(peer.getIpBlock()).as(name + ": no ingress by address").isNull();
                    if (peer.getNamespaceSelector() != null) {
                        // only the ingress controller's and Prometheus's namespaces, never "all namespaces"
                        assertThat(peer.getNamespaceSelector().getMatchLabels()).as(name + " namespaces")
                                .containsKey("kubernetes.io/metadata.name");
                        assertThat(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                                .as(name + " namespaces").isIn("ingress-nginx", "monitoring");
                        assertThat(peer.getPodSelector()).as(name + ": only given pods of that namespace").isNotNull();
                    }
                }
                assertThat(rule.getPorts()).as(name + ": ingress only to the services' ports").isNotEmpty()
                        .allSatisfy(p -> assertThat(servicePorts).contains(p.getPort().getIntVal()));
            }
            boolean gatewayOnly = policy.getSpec().getPodSelector().getMatchLabels() != null
                    && policy.getSpec().getPodSelector().getMatchLabels().equals(Map.of("app.kubernetes.io/name", "adapter-gateway"));
            for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
                assertThat(rule.getTo()).as(name + ": an egress rule without to lets everything out").isNotEmpty();
                for (NetworkPolicyPeer peer : rule.getTo()) {
                    if (peer.getIpBlock() != null) {
                        assertThat(gatewayOnly).as(name + ": only adapter-gateway may reach addresses outside the cluster").isTrue();
                    }
                    if (peer.getNamespaceSelector() != null) {
                        assertThat(rule.getPorts()).as(name + ": egress to other namespaces only to given ports").isNotEmpty();
                    }
                }
            }
        }
        assertThat(policies).as("adapter-gateway reaches the internet")
                .anyMatch(p -> p.getSpec().getEgress().stream().flatMap(r -> r.getTo().stream())
                        .anyMatch(peer -> peer.getIpBlock() != null && peer.getIpBlock().getCidr().equals("0.0.0.0/0")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void gatewayAndGovernanceScaleAndEveryServiceHasADisruptionBudget(String overlay) {
        Manifests m = BUILT.get(overlay);
        assertThat(m.all(HorizontalPodAutoscaler.class)).extracting(h -> h.getSpec().getScaleTargetRef().getName())
                .containsExactlyInAnyOrder("adapter-gateway", "governance-service");
        for (HorizontalPodAutoscaler hpa : m.all(HorizontalPodAutoscaler.class)) {
            assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
            assertThat(hpa.getSpec().getMetrics()).isNotEmpty();
        }
        for (Deployment deployment : m.all(Deployment.class)) {
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(m.all(PodDisruptionBudget.class)).as(deployment.getMetadata().getName() + " PDB")
                    .anySatisfy(pdb -> assertThat(labels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels()));
        }
    }

    /** The alerts of original-spec §9.5 and the approval alerts of §8.6. */
    private static final List<String> ALERTS = List.of("ExternalAgentBudgetExhausted", "ExternalAgentBudgetWarning",
            "RateLimiterUnavailable", "HighPolicyDenialRate", "HighRateLimitUsage", "WebhookDeliveryFailures",
            "ApprovalBacklog", "ApprovalRequestsExpiring");

    @Test
    void everyAlertReadsAMetricTheServicesExport() {
        List<GenericKubernetesResource> rules = BUILT.get("prod").kind("PrometheusRule");
        assertThat(rules).as("the prod overlay's PrometheusRule").singleElement()
                .satisfies(rule -> assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1"));
        assertThat(BUILT.get("prod").kind("PodMonitor")).as("Prometheus scrapes the services").singleElement()
                .satisfies(monitor -> assertThat(monitor.getAdditionalProperties().toString()).contains("/q/metrics"));
        Set<String> exported = MetricNames.prometheusSeries();
        Map<String, String> alerts = new LinkedHashMap<>();
        @SuppressWarnings("unchecked") List<Map<String, Object>> groups = (List<Map<String, Object>>)
                ((Map<String, Object>) rules.get(0).getAdditionalProperties().get("spec")).get("groups");
        for (Map<String, Object> group : groups) {
            @SuppressWarnings("unchecked") List<Map<String, Object>> groupRules = (List<Map<String, Object>>) group.get("rules");
            for (Map<String, Object> rule : groupRules) {
                String alert = (String) rule.get("alert");
                String expr = String.valueOf(rule.get("expr"));
                assertThat(alerts.put(alert, expr)).as("alert " + alert + " once").isNull();
                @SuppressWarnings("unchecked") Map<String, String> labels = (Map<String, String>) rule.get("labels");
                assertThat(labels).as(alert + " severity").containsKey("severity");
                assertThat(labels.get("severity")).as(alert + " severity").isIn("critical", "warning", "info");
                Set<String> metrics = metricsOf(expr);
                assertThat(metrics).as(alert + " reads a metric").isNotEmpty();
                assertThat(exported).as(alert + ": " + expr + " reads only metrics the services export (MetricNames)")
                        .containsAll(metrics);
            }
        }
        assertThat(alerts.keySet()).containsAll(ALERTS);
        // the check above would catch a rule on a metric that does not exist
        assertThat(metricsOf("sum by (agent_id) (rate(no_such_metric_total{kind=\"x\"}[5m])) > 0.05 and on() redis_up"))
                .containsExactlyInAnyOrder("no_such_metric_total", "redis_up");
        assertThat(exported).doesNotContain("no_such_metric_total");
    }

    @Test
    void prodSetsEverySettingTheProductionProfileChecks() {
        Manifests prod = BUILT.get("prod");
        Set<String> shared = prod.named(ConfigMap.class, "kaizen-config").orElseThrow().getData().keySet();
        for (String module : SERVICES.keySet()) {
            Set<String> set = new TreeSet<>(shared);
            set.addAll(env(onlyContainer(prod.named(Deployment.class, module).orElseThrow())).keySet());
            for (ProductionSetting setting : ProductionSettings.settings(module)) {
                List<String> variables = Arrays.stream(setting.environment().split(" or ")).map(String::strip).toList();
                assertThat(variables).as(module + " sets " + setting.property() + " (" + setting.environment() + ")")
                        .anyMatch(set::contains);
            }
        }
        // the dev overlay's development values are not refused: its services run in the dev profile
        assertThat(BUILT.get("dev").named(ConfigMap.class, "kaizen-config").orElseThrow().getData())
                .containsEntry("QUARKUS_PROFILE", "dev");
        assertThat(prod.named(ConfigMap.class, "kaizen-config").orElseThrow().getData()).doesNotContainKey("QUARKUS_PROFILE");
    }

    /** PromQL words that are not metrics: functions, aggregations, operators and modifiers. */
    private static final Set<String> PROMQL_WORDS = Set.of("sum", "min", "max", "avg", "count", "rate", "increase",
            "irate", "delta", "histogram_quantile", "by", "without", "and", "or", "unless", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "abs", "absent", "clamp_min", "clamp_max", "topk",
            "bottomk", "quantile", "stddev", "time", "vector", "scalar", "label_replace");

    /** The metric names a PromQL expression reads: identifiers outside label matchers, groupings and ranges. */
    static Set<String> metricsOf(String expr) {
        String bare = expr.replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> metrics = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean call = bare.substring(m.end()).stripLeading().startsWith("(");
            if (!call && !PROMQL_WORDS.contains(word)) {
                metrics.add(word);
            }
        }
        return metrics;
    }

    @Test
    void overlaysAreBuiltByKustomizeWhenKubectlIsThere() {
        boolean kubectl = Manifests.kubectl().isPresent();
        BUILT.values().forEach(m -> assertThat(m.builtByKustomize()).as(m.overlay()).isEqualTo(kubectl));
        if (kubectl) {
            // Kustomize applied the overlays' patches and tags
            assertThat(onlyContainer(BUILT.get("dev").named(Deployment.class, "adapter-gateway").orElseThrow()).getImage()).endsWith(":dev");
            assertThat(BUILT.get("dev").named(Deployment.class, "registry-service").orElseThrow().getSpec().getReplicas()).isEqualTo(1);
            assertThat(BUILT.get("prod").all(Deployment.class)).allSatisfy(d -> assertThat(d.getMetadata().getNamespace()).isEqualTo("kaizen"));
        }
    }

    // --- what the code and the configuration say

    /** The HTTP port of a service, from its application.properties. */
    static int httpPort(String module) {
        return Integer.parseInt(properties(module).getProperty("quarkus.http.port"));
    }

    private static Properties properties(String module) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(root.resolve(module).resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The constants of {@link Topics}. */
    private static List<String> codeTopics() {
        List<String> topics = new ArrayList<>();
        for (Field field : Topics.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    topics.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        assertThat(topics).isNotEmpty();
        return topics;
    }

    /** Every topic a service's channels read or dead-letter to (profile-free keys only). */
    private static Set<String> configuredTopics() {
        Set<String> topics = new LinkedHashSet<>();
        for (String module : SERVICES.keySet()) {
            properties(module).forEach((key, value) -> {
                String k = key.toString();
                if (k.startsWith("mp.messaging.") && (k.endsWith(".topic") || k.endsWith(".topics"))) {
                    Arrays.stream(value.toString().split(",")).map(String::strip).forEach(topics::add);
                }
            });
        }
        assertThat(topics).anyMatch(t -> t.endsWith(".dlq"));
        return topics;
    }

    /** ServiceLauncher.JVM_OPTIONS, read from its source (the devstack is not a dependency of this module). */
    private static List<String> jvmOptions() {
        return launcherList("JVM_OPTIONS");
    }

    /** A {@code static final List<String> NAME = List.of("…", …);} of ServiceLauncher, read from its source. */
    private static List<String> launcherList(String name) {
        String source = devstackSource("ServiceLauncher.java");
        Matcher m = Pattern.compile(" " + name + "\\s*=\\s*List\\.of\\((.*?)\\);", Pattern.DOTALL).matcher(source);
        assertThat(m.find()).as(name + " in ServiceLauncher.java").isTrue();
        List<String> options = new ArrayList<>();
        Matcher literal = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (literal.find()) {
            options.add(literal.group(1));
        }
        return options;
    }

    /** Each service's module and whether it is on the invoke path, read from the devstack's Service enum. */
    private static Map<String, Boolean> invokePathServices() {
        Matcher m = Pattern.compile("[A-Z]+\\(\"([a-z-]+)\", \"[a-z]+\", \\d+, (true|false)\\)")
                .matcher(devstackSource("Service.java"));
        Map<String, Boolean> services = new LinkedHashMap<>();
        while (m.find()) {
            services.put(m.group(1), Boolean.parseBoolean(m.group(2)));
        }
        assertThat(services).as("services in Service.java").hasSize(5).containsValue(true).containsValue(false);
        return services;
    }

    private static String devstackSource(String file) {
        try {
            return Files.readString(root.resolve("deploy/devstack/src/main/java/io/kaizen/devstack/" + file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long cappedBytes(String option) {
        Matcher m = Pattern.compile("-(?:Xmx|XX:MaxMetaspaceSize=|XX:ReservedCodeCacheSize=)(\\d+)([kmg])").matcher(option);
        if (!m.matches()) {
            return 0;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            default -> n << 30;
        };
    }

    /** A routes.txt pattern as the ingress's regular expression: {x} one segment, /** the path and all below it. */
    static String regex(String pattern) {
        String literal = pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 3) : pattern;
        String body = literal.replaceAll("\\{[^/}]+}", "[^/]+");
        return body + (pattern.endsWith("/**") ? "(/.*)?$" : "$");
    }

    private static void assertProbe(String what, Probe probe, String path) {
        assertThat(probe).as(what + " probe").isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(what + " path").isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).as(what + " port").isEqualTo("http");
    }

    private static Container onlyContainer(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            fail(deployment.getMetadata().getName() + " has " + containers.size() + " containers");
        }
        return containers.get(0);
    }

    private static Map<String, EnvVar> env(Container container) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        container.getEnv().forEach(v -> env.put(v.getName(), v));
        return env;
    }
}
