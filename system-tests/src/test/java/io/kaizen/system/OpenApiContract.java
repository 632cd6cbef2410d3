package io.kaizen.system;

import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;

/**
 * The OpenAPI documents the services serve, and the check that one HTTP exchange is what they describe: the
 * operation exists, the status is declared, the bodies have a declared media type and match its schema exactly (a
 * property the schema does not declare is a mismatch too), and a request the service accepted carries only the
 * declared query parameters and every required parameter. Requests the service refused are not checked against the
 * schema, since tests send malformed requests on purpose; their answers are.
 */
final class OpenApiContract {

    /** One HTTP exchange as the wire carried it; bodies are text, absent ones empty. */
    record Exchange(String method, String path, Map<String, List<String>> query, Set<String> headers,
            String requestContentType, String requestBody, int status, String responseContentType,
            String responseBody) {

        String describe() {
            return method + " " + path + " → " + status;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMAS = "#/components/schemas/";
    private static final String NDJSON = "application/x-ndjson";

    private final Map<String, JsonNode> documents;
    private final Map<String, ObjectNode> closedComponents = new LinkedHashMap<>();
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();
    private final AtomicInteger documentsCompiled = new AtomicInteger();
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), builder -> builder
            .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private OpenApiContract(Map<String, JsonNode> documents) {
        this.documents = documents;
        documents.forEach((service, document) -> {
            ObjectNode components = document.path("components").isObject()
                    ? (ObjectNode) document.get("components").deepCopy() : JSON.createObjectNode();
            closeObjects(components);
            closedComponents.put(service, components);
        });
    }

    /** The contract of the given documents (service name → OpenAPI JSON). */
    static OpenApiContract of(Map<String, String> documents) {
        Map<String, JsonNode> parsed = new LinkedHashMap<>();
        documents.forEach((service, text) -> parsed.put(service, read(text)));
        return new OpenApiContract(parsed);
    }

    /** What in the exchange the documents do not describe; empty when they describe it exactly. */
    List<String> check(Exchange exchange) {
        List<String> violations = new ArrayList<>();
        Optional<Operation> found = operation(exchange, violations);
        if (!violations.isEmpty()) {
            return violations;
        }
        if (found.isEmpty()) {
            // a path no document describes exists nowhere: it may only be refused
            if (exchange.status() < 400 || exchange.status() >= 500) {
                violations.add(exchange.describe() + ": no document describes " + exchange.method() + " "
                        + exchange.path());
            } else {
                checkProblem(exchange, violations);
            }
            return violations;
        }
        Operation operation = found.get();
        if (exchange.status() >= 200 && exchange.status() < 300) {
            checkParameters(exchange, operation, violations);
            checkRequestBody(exchange, operation, violations);
        }
        checkResponse(exchange, operation, violations);
        return violations;
    }

    /**
     * What in the request the documents do not allow, whatever the answer was: a request made to be one the
     * documents allow is checked with it before its answer is judged.
     */
    List<String> checkRequest(Exchange exchange) {
        List<String> violations = new ArrayList<>();
        operation(exchange, violations).ifPresent(operation -> {
            checkParameters(exchange, operation, violations);
            checkRequestBody(exchange, operation, violations);
        });
        return violations;
    }

    /** An answer that is not a service's own (a 4xx of the ingress): it must be a problem document. */
    List<String> checkProblem(Exchange exchange) {
        List<String> violations = new ArrayList<>();
        checkProblem(exchange, violations);
        return violations;
    }

    private void checkProblem(Exchange exchange, List<String> violations) {
        if (!mediaType(exchange.responseContentType()).equals("application/problem+json")) {
            violations.add(exchange.describe() + ": a refusal must be application/problem+json, was "
                    + exchange.responseContentType());
            return;
        }
        String service = documents.keySet().iterator().next();
        validate(exchange, service, "/components/schemas/Problem", exchange.responseBody(), "response", violations);
    }

    private record Operation(String service, String template, String pointer, JsonNode node, JsonNode pathItem) {
    }

    private Optional<Operation> operation(Exchange exchange, List<String> violations) {
        List<String> segments = segments(exchange.path());
        String method = exchange.method().toLowerCase(Locale.ROOT);
        int best = -1;
        List<Operation> candidates = new ArrayList<>();
        for (Map.Entry<String, JsonNode> document : documents.entrySet()) {
            Iterator<Map.Entry<String, JsonNode>> paths = document.getValue().path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                int literals = literalsMatched(segments(path.getKey()), segments);
                if (literals < 0 || !path.getValue().has(method)) {
                    continue;
                }
                Operation operation = new Operation(document.getKey(), path.getKey(),
                        "/paths/" + escape(path.getKey()) + "/" + method, path.getValue().get(method),
                        path.getValue());
                if (literals > best) {
                    best = literals;
                    candidates.clear();
                }
                if (literals == best) {
                    candidates.add(operation);
                }
            }
        }
        if (candidates.size() > 1) {
            violations.add(exchange.describe() + ": more than one operation describes it: " + candidates.stream()
                    .map(o -> o.service() + " " + o.template()).collect(Collectors.joining(", ")));
        }
        return candidates.stream().findFirst();
    }

    /** How many literal segments of the template match, or -1 when the path is not an instance of it. */
    private static int literalsMatched(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return -1;
        }
        int literals = 0;
        for (int i = 0; i < template.size(); i++) {
            String expected = template.get(i);
            boolean variable = expected.startsWith("{") && expected.endsWith("}");
            if (variable ? path.get(i).isEmpty() : !expected.equals(path.get(i))) {
                return -1;
            }
            literals += variable ? 0 : 1;
        }
        return literals;
    }

    /** The path's segments as the server routes them: percent-decoded, dot segments resolved. */
    private static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String raw : path.split("/", -1)) {
            String segment = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (segment.equals("..")) {
                if (!segments.isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
            } else if (!segment.equals(".") && !segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    private void checkParameters(Exchange exchange, Operation operation, List<String> violations) {
        List<JsonNode> parameters = new ArrayList<>();
        operation.pathItem().path("parameters").forEach(parameters::add);
        operation.node().path("parameters").forEach(parameters::add);
        Set<String> declaredQuery = parameters.stream().filter(p -> p.path("in").asText().equals("query"))
                .map(p -> p.path("name").asText()).collect(Collectors.toSet());
        for (String name : exchange.query().keySet()) {
            if (!declaredQuery.contains(name)) {
                violations.add(exchange.describe() + ": query parameter '" + name + "' is not declared");
            }
        }
        for (JsonNode parameter : parameters) {
            if (!parameter.path("required").asBoolean(false)) {
                continue;
            }
            String name = parameter.path("name").asText();
            boolean present = switch (parameter.path("in").asText()) {
                case "query" -> exchange.query().containsKey(name);
                case "header" -> exchange.headers().contains(name.toLowerCase(Locale.ROOT));
                default -> true;
            };
            if (!present) {
                violations.add(exchange.describe() + ": required " + parameter.path("in").asText() + " parameter '"
                        + name + "' is missing from an accepted request");
            }
        }
    }

    private void checkRequestBody(Exchange exchange, Operation operation, List<String> violations) {
        JsonNode body = operation.node().path("requestBody");
        boolean sent = !exchange.requestBody().isEmpty();
        if (body.isMissingNode()) {
            if (sent) {
                violations.add(exchange.describe() + ": a body was accepted where none is declared");
            }
            return;
        }
        if (!sent) {
            if (body.path("required").asBoolean(false)) {
                violations.add(exchange.describe() + ": the declared required body was not sent yet accepted");
            }
            return;
        }
        String mediaType = mediaType(exchange.requestContentType());
        if (!body.path("content").has(mediaType)) {
            violations.add(exchange.describe() + ": request media type " + mediaType + " is not declared");
            return;
        }
        validate(exchange, operation.service(),
                operation.pointer() + "/requestBody/content/" + escape(mediaType) + "/schema", exchange.requestBody(),
                "request", violations);
    }

    private void checkResponse(Exchange exchange, Operation operation, List<String> violations) {
        JsonNode responses = operation.node().path("responses");
        String status = Integer.toString(exchange.status());
        String code = responses.has(status) ? status
                : responses.has(status.charAt(0) + "XX") ? status.charAt(0) + "XX"
                : responses.has("default") ? "default" : null;
        if (code == null) {
            violations.add(exchange.describe() + ": status " + status + " is not declared for " + exchange.method()
                    + " " + operation.template() + " (" + operation.service() + ")");
            return;
        }
        JsonNode content = responses.get(code).path("content");
        if (exchange.responseBody().isEmpty()) {
            // a stream of zero NDJSON records is an empty body of a declared type
            boolean emptyStream = exchange.responseContentType() != null
                    && mediaType(exchange.responseContentType()).equals(NDJSON) && content.has(NDJSON);
            if (content.size() > 0 && exchange.status() != 204 && !exchange.method().equals("HEAD") && !emptyStream) {
                violations.add(exchange.describe() + ": a body is declared but none was sent");
            }
            return;
        }
        String mediaType = mediaType(exchange.responseContentType());
        if (!content.has(mediaType)) {
            violations.add(exchange.describe() + ": response media type " + mediaType + " is not declared (declared: "
                    + String.join(", ", (Iterable<String>) content::fieldNames) + ")");
            return;
        }
        if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
            return; // a text answer (CSV, NDJSON) is declared as a string: any text is one
        }
        validate(exchange, operation.service(),
                operation.pointer() + "/responses/" + escape(code) + "/content/" + escape(mediaType) + "/schema",
                exchange.responseBody(), "response", violations);
    }

    private void validate(Exchange exchange, String service, String pointer, String text, String what,
            List<String> violations) {
        JsonNode instance;
        try {
            instance = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            violations.add(exchange.describe() + ": the " + what + " body is not JSON");
            return;
        }
        Schema schema = compiled.computeIfAbsent(service + pointer, key -> compile(service, pointer));
        for (Error error : schema.validate(instance)) {
            violations.add(exchange.describe() + ": " + what + " body " + error + " (" + service + " " + pointer
                    + ")");
        }
    }

    /**
     * The schema at the pointer as a document of its own, with the service's components beside it so that
     * {@code #/components/schemas/...} references resolve, and every object closed to undeclared properties.
     */
    private Schema compile(String service, String pointer) {
        JsonNode found = documents.get(service).at(pointer);
        if (found.isMissingNode()) {
            throw new IllegalStateException(service + " declares no schema at " + pointer);
        }
        ObjectNode root = found.isObject() ? (ObjectNode) found.deepCopy() : JSON.createObjectNode();
        closeObjects(root);
        root.set("components", closedComponents.get(service));
        return registry.getSchema(SchemaLocation.of("https://contract.kaizen.test/" + service + "/"
                + documentsCompiled.incrementAndGet()), root);
    }

    /** Objects that declare their properties and say nothing of others have no others. */
    private static void closeObjects(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.path("properties").isObject() && !object.has("additionalProperties")
                    && !object.has("unevaluatedProperties")) {
                object.set("unevaluatedProperties", BooleanNode.FALSE);
            }
            object.elements().forEachRemaining(OpenApiContract::closeObjects);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(OpenApiContract::closeObjects);
        }
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
    }

    /** A JSON pointer token (RFC 6901). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
