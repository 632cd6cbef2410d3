package io.kaizen.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of Kustomize these manifests need to be checked without kubectl: resources (files and directories),
 * namespace, and ConfigMap and Secret generators (literals, env files, files; behavior merge). Generated names keep
 * no hash suffix, so references resolve as they do after Kustomize. Patches and images are not applied.
 */
final class FileKustomization {

    List<HasMetadata> load(Path dir) {
        Map<String, Object> kustomization = read(dir.resolve("kustomization.yaml"));
        List<HasMetadata> objects = new ArrayList<>();
        for (Object resource : list(kustomization.get("resources"))) {
            Path path = dir.resolve(resource.toString()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(load(path));
            } else {
                objects.addAll(Manifests.parse(text(path)));
            }
        }
        for (Object generator : list(kustomization.get("configMapGenerator"))) {
            @SuppressWarnings("unchecked") Map<String, Object> g = (Map<String, Object>) generator;
            Map<String, String> data = generated(dir, g);
            String name = g.get("name").toString();
            if ("merge".equals(g.get("behavior"))) {
                ConfigMap existing = (ConfigMap) objects.stream()
                        .filter(o -> o instanceof ConfigMap && o.getMetadata().getName().equals(name)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no ConfigMap " + name + " to merge into"));
                existing.getData().putAll(data);
            } else {
                objects.add(new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().withData(data).build());
            }
        }
        for (Object generator : list(kustomization.get("secretGenerator"))) {
            @SuppressWarnings("unchecked") Map<String, Object> g = (Map<String, Object>) generator;
            objects.add(new SecretBuilder().withNewMetadata().withName(g.get("name").toString()).endMetadata()
                    .withStringData(generated(dir, g)).build());
        }
        Object namespace = kustomization.get("namespace");
        if (namespace != null) {
            objects.forEach(o -> o.getMetadata().setNamespace(namespace.toString()));
        }
        return objects;
    }

    private static Map<String, String> generated(Path dir, Map<String, Object> generator) {
        Map<String, String> data = new LinkedHashMap<>();
        for (Object env : list(generator.get("envs"))) {
            for (String line : text(dir.resolve(env.toString())).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    data.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
                }
            }
        }
        for (Object literal : list(generator.get("literals"))) {
            String line = literal.toString();
            data.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        for (Object file : list(generator.get("files"))) {
            String spec = file.toString();
            int eq = spec.indexOf('=');
            Path path = dir.resolve(eq < 0 ? spec : spec.substring(eq + 1));
            data.put(eq < 0 ? path.getFileName().toString() : spec.substring(0, eq), text(path));
        }
        return data;
    }

    private static Map<String, Object> read(Path file) {
        return Manifests.documents(text(file)).get(0);
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
