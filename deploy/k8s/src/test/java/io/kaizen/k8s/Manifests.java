package io.kaizen.k8s;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The manifests of one overlay as typed fabric8 objects. Built with {@code kubectl kustomize} when kubectl is on the
 * PATH; otherwise read from the overlay's files with a small subset of Kustomize (resources, namespace, ConfigMap and
 * Secret generators; patches and image tags are not applied), so that the typed checks still run.
 */
record Manifests(String overlay, boolean builtByKustomize, List<HasMetadata> objects) {

    private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    static Manifests load(Path overlayDir) {
        Optional<Path> kubectl = kubectl();
        String name = overlayDir.getFileName().toString();
        if (kubectl.isPresent()) {
            return new Manifests(name, true, parse(kustomize(kubectl.get(), overlayDir)));
        }
        System.out.println("kubectl is not on the PATH (or -Dkaizen.k8s.kubectl=false): overlay " + name
                + " is checked from its files (resources and generators; patches and image tags not applied)");
        return new Manifests(name, false, new FileKustomization().load(overlayDir));
    }

    /** kubectl on the PATH, unless -Dkaizen.k8s.kubectl=false asks for the check without it. */
    static Optional<Path> kubectl() {
        if ("false".equals(System.getProperty("kaizen.k8s.kubectl"))) {
            return Optional.empty();
        }
        return java.util.Arrays.stream(Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static String kustomize(Path kubectl, Path dir) {
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 120 s");
            }
            String yaml = Files.readString(out);
            String errors = Files.readString(err);
            Files.delete(out);
            Files.delete(err);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + errors);
            }
            return yaml;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every document of a multi-document YAML text, typed by its apiVersion and kind. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (Map<String, Object> document : documents(yaml)) {
            objects.add(typed(document));
        }
        return objects;
    }

    static List<Map<String, Object>> documents(String yaml) {
        try (var parser = YAML.getFactory().createParser(yaml)) {
            List<Map<String, Object>> documents = new ArrayList<>();
            var values = YAML.readValues(parser, new TypeReference<Map<String, Object>>() { });
            while (values.hasNext()) {
                Map<String, Object> document = values.next();
                if (document != null && !document.isEmpty()) {
                    documents.add(document);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HasMetadata typed(Map<String, Object> document) {
        String type = document.get("apiVersion") + "/" + document.get("kind");
        Class<? extends HasMetadata> target = TYPES.getOrDefault(type, GenericKubernetesResource.class);
        return YAML.convertValue(document, target);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    List<GenericKubernetesResource> kind(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> kind.equals(o.getKind())).toList();
    }

    /** A Secret's entries, decoded. */
    static Map<String, String> entries(Secret secret) {
        Map<String, String> entries = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> entries.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            entries.putAll(secret.getStringData());
        }
        return entries;
    }
}
