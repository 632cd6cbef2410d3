package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.devstack.Service;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Requests made up from the served OpenAPI documents, as an outside fuzzer working from {@code /q/openapi} makes
 * them: for every operation of every service, on the service's own port, path parameters that name real resources
 * of the caller or anything else, declared query and header parameters, and bodies shaped by the operation's schema
 * with some values swapped for hostile ones (wrong types, huge numbers, control characters, markup, very long
 * text), plus broken JSON and bytes that are not UTF-8. No answer may be a 5xx, and every answer must be what the
 * document declares ({@link ContractFilter} checks each exchange). The generator is seeded: a failure names the
 * seed and the request, and the same seed makes the same requests.
 */
class GeneratedRequestsIT {

    private static final int REQUESTS_PER_OPERATION = 25;
    private static final long SEED = Long.getLong("kaizen.generated-requests.seed", 20261206L);
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Refusals of requests the documents allow, by a rule the documents cannot state (docs/api.md, "What the documents
     * cannot say"): a field against another field, or against what is stored.
     */
    private static final List<String> RULES_THE_DOCUMENTS_CANNOT_STATE = List.of(
            "is required for platform", "' for platform ", " for auth_type ", "is required for a webhook channel",
            "must hold 1 to", "cannot be changed; register a new agent", "must be in the future",
            "must be after start", "must differ from start_time", "needs a numeric attribute",
            "needs a text attribute", "needs a text or list attribute", "must be a number",
            "must be a non-empty array for", "must be a regular expression string",
            "must be a string, number or boolean", "is not a valid regular expression",
            "must be greater than the threshold before it", "names no registered agent", "must be before",
            "must not be greater than", "cannot be combined", "is not a next_cursor",
            "Either workflow_id or external_agent_id", "The start of the time range must be before its end",
            "A workflow needs at least one approver", "An escalation needs", "escalate_after_minutes",
            "is listed twice", "An e-mail channel's approver", ".approver must name the approver", "cannot approve",
            ".to must be an e-mail address", ".agent_id must be the id of a registered messaging agent",
            ".agent_id' must be an agent id",
            ".url must be an absolute http(s) URL");
    private static final List<String> HOSTILE_TEXT = List.of("", " ", "a", "x".repeat(5_000), "\u0000", "null", "-1",
            "1e309", "é☃𝄞", "<script>alert(1)</script>", "' or 1=1 --", "../../etc/passwd", "%00", "%ZZ",
            "2026-13-45T25:61:00Z", "true", "{}", "[]", "\r\n", "\\", "ÿ".repeat(300), "9".repeat(40),
            "-9223372036854775809", "NaN", "Infinity", "sk_live_x", "\u202e\u0007", "*", "=cmd|' /C calc'!A0");
    private static final List<JsonNode> HOSTILE_VALUES = List.of(NODES.nullNode(), NODES.numberNode(-1),
            NODES.numberNode(0), NODES.numberNode(Long.MAX_VALUE),
            NODES.numberNode(new java.math.BigInteger("9".repeat(40))), NODES.numberNode(1e308), NODES.numberNode(-0.000001), NODES.booleanNode(true), NODES.arrayNode(),
            NODES.objectNode(), NODES.arrayNode().add("x"), NODES.objectNode().set("a", NODES.objectNode()
                    .set("b", NODES.arrayNode().add(1).add(NODES.objectNode()))));

    private final Suite suite = Suite.get();
    private final String organization = Suite.newOrg();
    private final String token = suite.token(organization, "org_owner");

    @Test
    void noMadeUpRequestGetsAServerErrorOrAnUndeclaredAnswer() throws Exception {
        List<String> realIds = realResources();
        Random random = new Random(SEED);
        Map<String, String> failures = new LinkedHashMap<>(); // one example per operation
        int sent = 0;
        for (Service service : Service.values()) {
            JsonNode document = JSON.readTree(suite.servedDocuments().get(service.shortName()));
            Generator generator = new Generator(document, random);
            for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields();
                while (operations.hasNext()) {
                    Map.Entry<String, JsonNode> operation = operations.next();
                    if (!METHODS.contains(operation.getKey())) {
                        continue;
                    }
                    for (int n = 0; n < REQUESTS_PER_OPERATION; n++) {
                        Made made = generator.request(path.getKey(), path.getValue(), operation.getValue(), realIds);
                        sent++;
                        String failure = send(service, operation.getKey(), made);
                        if (failure != null) {
                            failures.putIfAbsent(service.shortName() + " " + operation.getKey() + " " + path.getKey(),
                                    failure);
                        }
                    }
                }
            }
        }

        assertThat(sent).isGreaterThan(50 * REQUESTS_PER_OPERATION);
        assertThat(failures.values())
                .as("made-up requests (seed %d) that got a 5xx or an answer the document does not declare", SEED)
                .isEmpty();
    }

    /**
     * Requests the documents allow, made up as an outside fuzzer's positive phase makes them, are not refused as
     * invalid (400 or 422) but by a rule the documents cannot state: one field against another, or against what is
     * stored. Those rules are listed in docs/api.md ("What the documents cannot say") and in
     * {@link #RULES_THE_DOCUMENTS_CANNOT_STATE}; any other refusal of an allowed request is a document that says
     * less than the service checks. Each request is checked against the documents before it is sent.
     */
    @Test
    void noRequestTheDocumentsAllowIsRefusedButByARuleTheyCannotState() throws Exception {
        List<String> realIds = realResources();
        OpenApiContract contract = OpenApiContract.of(suite.servedDocuments());
        Random random = new Random(SEED);
        Map<String, String> failures = new LinkedHashMap<>();
        Set<String> uncovered = new java.util.TreeSet<>();
        int sent = 0;
        int refusedByRule = 0;
        for (Service service : Service.values()) {
            JsonNode document = JSON.readTree(suite.servedDocuments().get(service.shortName()));
            ConformingValues values = new ConformingValues(document, random, realIds);
            List<String[]> operations = new ArrayList<>();
            document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(
                    method -> operations.add(new String[] {path.getKey(), method})));
            // deletions last, so that the other operations still find the real resources
            operations.sort(java.util.Comparator.comparing(operation -> operation[1].equals("delete")));
            for (String[] operation : operations) {
                if (!METHODS.contains(operation[1])) {
                    continue;
                }
                JsonNode pathItem = document.path("paths").path(operation[0]);
                for (int n = 0; n < REQUESTS_PER_OPERATION; n++) {
                    Made made = conforming(values, random, operation[0], pathItem, pathItem.path(operation[1]),
                            realIds);
                    if (made == null) {
                        continue;
                    }
                    String name = service.shortName() + " " + operation[1].toUpperCase(java.util.Locale.ROOT) + " "
                            + operation[0];
                    List<String> disallowed = contract.checkRequest(made.exchange(operation[1]));
                    if (!disallowed.isEmpty()) {
                        failures.putIfAbsent(name, "made a request the documents do not allow: " + disallowed);
                        continue;
                    }
                    sent++;
                    Response response;
                    try {
                        response = request(service, made).request(operation[1].toUpperCase(java.util.Locale.ROOT),
                                made.target());
                    } catch (AssertionError violation) {
                        failures.putIfAbsent(name, made.describe(operation[1], service) + " → "
                                + violation.getMessage());
                        continue;
                    }
                    int status = response.statusCode();
                    String detail = status == 400 || status == 422 ? response.jsonPath().getString("detail") : null;
                    if (detail != null && RULES_THE_DOCUMENTS_CANNOT_STATE.stream().anyMatch(detail::contains)) {
                        refusedByRule++;
                    } else if (detail != null || status >= 500) {
                        failures.putIfAbsent(name, made.describe(operation[1], service) + " → " + status + " "
                                + response.asString());
                    }
                }
            }
            uncovered.addAll(values.uncovered());
        }

        System.out.printf("allowed requests (seed %d): %d sent, %d refused by a rule the documents cannot state%n",
                SEED, sent, refusedByRule);
        assertThat(uncovered).as("schemas of the documents the generator found no value for").isEmpty();
        assertThat(sent).isGreaterThan(50 * REQUESTS_PER_OPERATION);
        assertThat(refusedByRule).as("requests refused by a rule the documents cannot state").isLessThan(sent / 5);
        assertThat(failures.values())
                .as("allowed requests (seed %d) refused as invalid, answered 5xx, or answered otherwise than declared",
                        SEED)
                .isEmpty();
    }

    /** A request of the operation the documents allow: real ids in its path, conforming parameters and body. */
    private static Made conforming(ConformingValues values, Random random, String template, JsonNode pathItem,
            JsonNode operation, List<String> realIds) throws Exception {
        String path = template;
        StringBuilder query = new StringBuilder();
        List<JsonNode> parameters = new ArrayList<>();
        pathItem.path("parameters").forEach(parameter -> parameters.add(values.resolve(parameter)));
        operation.path("parameters").forEach(parameter -> parameters.add(values.resolve(parameter)));
        for (JsonNode parameter : parameters) {
            String name = parameter.path("name").asText();
            switch (parameter.path("in").asText()) {
                case "path" -> {
                    List<String> fitting = realIds.stream().filter(id -> values.fits(parameter.path("schema"), id))
                            .toList();
                    JsonNode made = fitting.isEmpty() ? values.value(parameter.path("schema"), 0) : null;
                    String segment = fitting.isEmpty() ? (made == null ? null : made.asText())
                            : fitting.get(random.nextInt(fitting.size()));
                    if (segment == null) {
                        return null;
                    }
                    path = path.replace("{" + name + "}", encode(segment));
                }
                case "query" -> {
                    if (parameter.path("required").asBoolean() || random.nextInt(5) < 2) {
                        JsonNode made = values.value(parameter.path("schema"), 0);
                        if (made == null) {
                            return null;
                        }
                        query.append(query.isEmpty() ? "" : "&").append(encode(name)).append('=')
                                .append(encode(made.isTextual() ? made.asText() : made.toString()));
                    }
                }
                default -> { }
            }
        }
        JsonNode content = operation.path("requestBody").path("content").path("application/json");
        if (content.isMissingNode()) {
            return new Made(path, query.toString(), Map.of(), null, null);
        }
        JsonNode body = values.value(content.path("schema"), 0);
        return body == null ? null : new Made(path, query.toString(), Map.of(), "application/json",
                JSON.writeValueAsBytes(body));
    }

    /** Resources of the caller's organisation, so that made-up requests also reach past the 404 of an unknown id. */
    private List<String> realResources() {
        String agent = suite.registerAgent(token, "Generated Requests");
        String invocation = suite.invoking(token).body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agent + "/invoke").then().statusCode(200)
                .extract().path("invocation_id");
        String policy = suite.as(token).body("""
                {"name": "No staging", "effect": "deny", "priority": 10,
                 "conditions": [{"type": "environment", "environments": ["staging"]}]}""")
                .when().post("/api/v1/policies").then().statusCode(201).extract().path("id");
        String webhook = suite.as(token).body("""
                {"name": "Feed", "url": "%s/webhooks/generated", "events": ["invocation.*"]}"""
                .formatted(suite.stack.sinkUrl()))
                .when().post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
        return List.of(agent, policy, webhook, invocation, "jane.smith@company.example", "agent:" + agent);
    }

    private String send(Service service, String method, Made made) {
        RequestSpecification request = request(service, made);
        try {
            Response response = request.request(method.toUpperCase(java.util.Locale.ROOT), made.target());
            if (response.statusCode() >= 500) {
                return made.describe(method, service) + " → " + response.statusCode() + " " + response.asString();
            }
            return null;
        } catch (AssertionError violation) {
            return made.describe(method, service) + " → " + violation.getMessage();
        }
    }

    /** The made-up request as the caller sends it: its token, the lineage headers, the service token inside. */
    private RequestSpecification request(Service service, Made made) {
        RequestSpecification request = RestAssured.given().baseUri(suite.serviceUrl(service)).urlEncodingEnabled(false)
                .auth().oauth2(token)
                .header("X-External-User-ID", "ext-user-7")
                .header("X-External-User-Email", "jane.smith@company.example")
                .header("X-External-System", "copilot")
                .header("X-External-Session-ID", "session-1");
        if (made.path().startsWith("/internal/")) {
            request.header("X-Kaizen-Service-Token", suite.stack.serviceToken());
        }
        made.headers().forEach(request::header);
        if (made.body() != null) {
            request.contentType(made.contentType()).body(made.body());
        }
        return request;
    }

    /** One made-up request: the path with its parameters filled in, the encoded query, headers and body. */
    private record Made(String path, String query, Map<String, String> headers, String contentType, byte[] body) {

        String target() {
            return query.isEmpty() ? path : path + "?" + query;
        }

        /** The request as the contract reads an exchange (the answer not yet known). */
        OpenApiContract.Exchange exchange(String method) {
            Map<String, List<String>> parameters = new LinkedHashMap<>();
            if (!query.isEmpty()) {
                for (String pair : query.split("&")) {
                    String name = java.net.URLDecoder.decode(pair.substring(0, pair.indexOf('=')),
                            StandardCharsets.UTF_8);
                    parameters.computeIfAbsent(name, key -> new ArrayList<>()).add(java.net.URLDecoder.decode(
                            pair.substring(pair.indexOf('=') + 1), StandardCharsets.UTF_8));
                }
            }
            Set<String> sent = new java.util.HashSet<>(Set.of("authorization", "x-external-user-id",
                    "x-external-user-email", "x-external-system", "x-external-session-id"));
            return new OpenApiContract.Exchange(method.toUpperCase(java.util.Locale.ROOT), path, parameters, sent,
                    contentType, body == null ? "" : new String(body, StandardCharsets.UTF_8), 200, null, "");
        }

        String describe(String method, Service service) {
            String shown = body == null ? "" : " " + new String(body, StandardCharsets.UTF_8);
            return service.shortName() + " " + method.toUpperCase(java.util.Locale.ROOT) + " " + target() + " "
                    + headers + (shown.length() > 400 ? shown.substring(0, 400) + "…" : shown);
        }
    }

    /** Values for an OpenAPI 3.1 document's schemas: mostly of the declared shape, some hostile. */
    private static final class Generator {

        private final JsonNode document;
        private final Random random;

        Generator(JsonNode document, Random random) {
            this.document = document;
            this.random = random;
        }

        Made request(String template, JsonNode pathItem, JsonNode operation, List<String> realIds) throws Exception {
            double hostility = List.of(0.0, 0.05, 0.3).get(random.nextInt(3));
            String path = template;
            StringBuilder query = new StringBuilder();
            Map<String, String> headers = new LinkedHashMap<>();
            List<JsonNode> parameters = new ArrayList<>();
            pathItem.path("parameters").forEach(parameter -> parameters.add(resolve(parameter)));
            operation.path("parameters").forEach(parameter -> parameters.add(resolve(parameter)));
            for (JsonNode parameter : parameters) {
                JsonNode value = value(parameter.path("schema"), 0, hostility);
                String text = value.isTextual() ? value.asText() : value.toString();
                switch (parameter.path("in").asText()) {
                    case "path" -> {
                        String segment = random.nextBoolean() ? realIds.get(random.nextInt(realIds.size())) : text;
                        path = path.replace("{" + parameter.path("name").asText() + "}",
                                encode(segment.isEmpty() ? "x" : segment));
                    }
                    case "query" -> {
                        if (parameter.path("required").asBoolean() || random.nextBoolean()) {
                            query.append(query.isEmpty() ? "" : "&").append(encode(parameter.path("name").asText()))
                                    .append('=').append(encode(text));
                        }
                    }
                    case "header" -> {
                        if (random.nextInt(3) == 0) {
                            headers.put(parameter.path("name").asText(), printable(text));
                        }
                    }
                    default -> { }
                }
            }
            JsonNode content = operation.path("requestBody").path("content");
            if (content.isEmpty()) {
                return new Made(path, query.toString(), headers, null, null);
            }
            List<String> mediaTypes = new ArrayList<>();
            content.fieldNames().forEachRemaining(mediaTypes::add);
            String mediaType = mediaTypes.get(random.nextInt(mediaTypes.size()));
            JsonNode body = value(content.path(mediaType).path("schema"), 0, hostility);
            int shape = random.nextInt(100);
            byte[] bytes;
            if (shape < 5) {
                bytes = "{\"input\": ".getBytes(StandardCharsets.UTF_8);
            } else if (shape < 8) {
                bytes = new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'};
            } else if (shape < 10) {
                bytes = JSON.writeValueAsBytes(NODES.arrayNode().add(body));
            } else {
                bytes = JSON.writeValueAsBytes(body);
            }
            return new Made(path, query.toString(), headers, mediaType, bytes);
        }

        private JsonNode value(JsonNode schema, int depth, double hostility) {
            schema = resolve(schema);
            if (depth > 6) {
                return NODES.nullNode();
            }
            if (random.nextDouble() < hostility) {
                return random.nextBoolean() ? NODES.textNode(hostileText())
                        : HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size()));
            }
            if (schema.has("allOf")) {
                ObjectNode merged = NODES.objectNode();
                schema.get("allOf").forEach(part -> {
                    JsonNode made = value(part, depth + 1, hostility);
                    if (made.isObject()) {
                        merged.setAll((ObjectNode) made);
                    }
                });
                return merged;
            }
            for (String choice : List.of("oneOf", "anyOf")) {
                if (schema.has(choice)) {
                    JsonNode options = schema.get(choice);
                    return value(options.get(random.nextInt(options.size())), depth + 1, hostility);
                }
            }
            if (schema.has("enum") && random.nextInt(5) > 0) {
                JsonNode options = schema.get("enum");
                return options.get(random.nextInt(options.size()));
            }
            String type = type(schema);
            switch (type) {
                case "object" -> {
                    ObjectNode object = NODES.objectNode();
                    Set<String> required = new java.util.HashSet<>();
                    schema.path("required").forEach(name -> required.add(name.asText()));
                    schema.path("properties").fields().forEachRemaining(property -> {
                        if (required.contains(property.getKey()) || random.nextInt(5) < 3) {
                            object.set(property.getKey(), value(property.getValue(), depth + 1, hostility));
                        }
                    });
                    if (schema.path("additionalProperties").isObject()) {
                        for (int n = random.nextInt(3); n > 0; n--) {
                            object.set("key-" + random.nextInt(1000), value(schema.get("additionalProperties"),
                                    depth + 1, hostility));
                        }
                    }
                    if (random.nextInt(10) == 0) {
                        object.put("undeclared_" + random.nextInt(100), 1);
                    }
                    return object;
                }
                case "array" -> {
                    ArrayNode array = NODES.arrayNode();
                    int size = List.of(0, 1, 2, 3, 60).get(random.nextInt(5));
                    for (int n = 0; n < size; n++) {
                        array.add(value(schema.path("items"), depth + 1, hostility));
                    }
                    return array;
                }
                case "integer" -> {
                    return random.nextBoolean() ? NODES.numberNode(random.nextInt(1_000) - 5)
                            : NODES.numberNode(List.of(0L, 1L, 5L, 100L, -1L, 1L << 31, Long.MAX_VALUE)
                                    .get(random.nextInt(7)));
                }
                case "number" -> {
                    return NODES.numberNode(List.of(0.0, 0.5, 1e-9, 12.34, -1.0, 1e300, 0.1).get(random.nextInt(7)));
                }
                case "boolean" -> {
                    return NODES.booleanNode(random.nextBoolean());
                }
                case "string" -> {
                    return NODES.textNode(string(schema.path("format").asText()));
                }
                default -> {
                    return random.nextBoolean() ? NODES.textNode(hostileText()) : NODES.numberNode(1);
                }
            }
        }

        private String string(String format) {
            if (random.nextInt(5) < 3) {
                switch (format) {
                    case "date-time" -> {
                        return List.of("2026-12-06T00:00:00Z", "2026-12-06T00:00:00+05:00", "9999-12-31T23:59:59Z",
                                "0001-01-01T00:00:00Z", "2026-12-06").get(random.nextInt(5));
                    }
                    case "email" -> {
                        return List.of("a@example.com", "x".repeat(300) + "@example.com", "é@☃.example")
                                .get(random.nextInt(3));
                    }
                    case "uri", "url" -> {
                        return List.of("http://127.0.0.1:18088/x", "https://example.com/hook", "ftp://x",
                                "http://[::1]/", "http://169.254.169.254/latest").get(random.nextInt(5));
                    }
                    default -> { }
                }
            }
            if (random.nextBoolean()) {
                return hostileText();
            }
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(40); n > 0; n--) {
                text.append((char) (32 + random.nextInt(95)));
            }
            return text.toString();
        }

        private String type(JsonNode schema) {
            return ConformingValues.type(schema, random);
        }

        private JsonNode resolve(JsonNode schema) {
            return ConformingValues.resolve(document, schema);
        }

        private String hostileText() {
            return HOSTILE_TEXT.get(random.nextInt(HOSTILE_TEXT.size()));
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String printable(String text) {
        StringBuilder kept = new StringBuilder();
        text.codePoints().filter(c -> c >= 32 && c < 127).limit(2_000).forEach(kept::appendCodePoint);
        return kept.toString();
    }
}
