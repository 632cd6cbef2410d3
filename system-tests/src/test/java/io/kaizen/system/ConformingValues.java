package io.kaizen.system;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.common.security.Permissions;

/**
 * Values an OpenAPI 3.1 document's schemas allow, as an outside fuzzer's positive phase makes them: required
 * properties and some optional ones, numbers within their bounds and steps, lists within their sizes, one branch of
 * a {@code oneOf}, and text of the declared pattern, format and length. Text is taken from a pool of candidates
 * (the caller's real ids among them) filtered by the schema; a pattern no candidate matches is reported in
 * {@link #uncovered()}, so that a new pattern in the documents cannot silently go unexercised.
 */
final class ConformingValues {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> TEXT = List.of("hello", "Finance team", "a", "é☃𝄞 text", "x".repeat(120),
            "ext-user-7", "jane.smith@company.example", "ops@example.com", "http://localhost:18088/webhooks/generated",
            "https://hooks.example.com/kaizen?x=1", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "mon", "friday", "09:00", "17:30", "UTC", "Europe/Paris", "10.0.0.0/8", "2001:db8::/32", "203.0.113.7",
            "development", "production", "staging", "custom_http", "slack", "teams", "ssn", "credit_card", "approver",
            "org_admin", "developer", "invocation.failed", "invocation.*", "budget.*", "agent.registered", "finance",
            "user.team", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "inv_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "active", "completed",
            // at the longest limits, in characters beyond the Basic Multilingual Plane (two UTF-16 units each)
            "😀".repeat(100), "𝄞".repeat(255));
    private static final List<String> DATE_TIMES = List.of("2030-01-01T00:00:00Z", "2026-12-06T10:00:00+01:00",
            "2031-06-30T12:30:00.5Z");
    private static final List<BigDecimal> NUMBERS = List.of(BigDecimal.ZERO, BigDecimal.ONE, new BigDecimal("7"),
            new BigDecimal("100"), new BigDecimal("0.5"), new BigDecimal("2.25"), new BigDecimal("-1"));

    private final JsonNode document;
    private final Random random;
    private final List<String> pool = new ArrayList<>(TEXT);
    private final Set<String> uncovered = new TreeSet<>();
    private final Map<String, Pattern> patterns = new java.util.HashMap<>();

    ConformingValues(JsonNode document, Random random, List<String> realIds) {
        this.document = document;
        this.random = random;
        pool.addAll(realIds);
        pool.addAll(Permissions.ALL);
    }

    /** The patterns (and bounds) no candidate satisfied. */
    Set<String> uncovered() {
        return uncovered;
    }

    /** A value the schema allows; null when it found none (see {@link #uncovered()}). */
    JsonNode value(JsonNode schema, int depth) {
        schema = resolve(schema);
        if (schema.has("allOf")) {
            return value(merged(schema.get("allOf")), depth);
        }
        for (String choice : List.of("oneOf", "anyOf")) {
            if (schema.has(choice)) {
                List<JsonNode> options = new ArrayList<>();
                schema.get(choice).forEach(option -> {
                    if (!resolve(option).path("type").asText().equals("null")) {
                        options.add(option);
                    }
                });
                return value(options.get(random.nextInt(options.size())), depth + 1);
            }
        }
        if (schema.has("enum")) {
            List<JsonNode> values = new ArrayList<>();
            schema.get("enum").forEach(option -> {
                if (!option.isNull()) {
                    values.add(option);
                }
            });
            return values.get(random.nextInt(values.size()));
        }
        return switch (type(schema)) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, depth);
            case "integer", "number" -> number(schema, type(schema).equals("integer"));
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            case "string" -> text(schema);
            default -> NODES.textNode("hello"); // any JSON
        };
    }

    private JsonNode object(JsonNode schema, int depth) {
        ObjectNode object = NODES.objectNode();
        Set<String> required = new LinkedHashSet<>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        for (Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
                properties.hasNext(); ) {
            Map.Entry<String, JsonNode> property = properties.next();
            if (required.contains(property.getKey()) || (depth < 4 && random.nextBoolean())) {
                JsonNode made = value(property.getValue(), depth + 1);
                if (made == null) {
                    return null;
                }
                object.set(property.getKey(), made);
            }
        }
        JsonNode more = schema.get("additionalProperties");
        if (more != null && more.isObject() && depth < 4) {
            for (int n = random.nextInt(3); n > 0; n--) {
                JsonNode made = more.isEmpty() ? NODES.textNode("note " + n) : value(more, depth + 1);
                if (made != null) {
                    object.set("key_" + n, made);
                }
            }
        }
        return object;
    }

    private JsonNode array(JsonNode schema, int depth) {
        int least = schema.path("minItems").asInt(0);
        int most = Math.min(schema.path("maxItems").asInt(3), Math.max(least, 3));
        int size = least + random.nextInt(most - least + 1);
        ArrayNode array = NODES.arrayNode();
        Set<JsonNode> seen = new LinkedHashSet<>();
        for (int attempt = 0; array.size() < size && attempt < size * 4; attempt++) {
            JsonNode item = value(schema.path("items"), depth + 1);
            if (item == null) {
                return null;
            }
            if (!schema.path("uniqueItems").asBoolean() || seen.add(item)) {
                array.add(item);
            }
        }
        return array.size() >= least ? array : null;
    }

    private JsonNode number(JsonNode schema, boolean whole) {
        BigDecimal least = schema.has("minimum") ? schema.get("minimum").decimalValue() : null;
        BigDecimal most = schema.has("maximum") ? schema.get("maximum").decimalValue() : null;
        BigDecimal above = schema.has("exclusiveMinimum") ? schema.get("exclusiveMinimum").decimalValue() : null;
        BigDecimal below = schema.has("exclusiveMaximum") ? schema.get("exclusiveMaximum").decimalValue() : null;
        BigDecimal step = schema.has("multipleOf") ? schema.get("multipleOf").decimalValue() : null;
        List<BigDecimal> candidates = new ArrayList<>(NUMBERS);
        if (least != null) {
            candidates.add(least);
        }
        if (most != null) {
            candidates.add(most);
        }
        candidates.removeIf(n -> (least != null && n.compareTo(least) < 0) || (most != null && n.compareTo(most) > 0)
                || (above != null && n.compareTo(above) <= 0) || (below != null && n.compareTo(below) >= 0)
                || (whole && n.stripTrailingZeros().scale() > 0)
                || (step != null && n.remainder(step).signum() != 0));
        if (candidates.isEmpty()) {
            uncovered.add("number " + schema);
            return null;
        }
        BigDecimal chosen = candidates.get(random.nextInt(candidates.size()));
        return whole ? NODES.numberNode(chosen.longValueExact()) : NODES.numberNode(chosen);
    }

    /** Whether the schema, a text one, allows this text. */
    boolean fits(JsonNode schema, String text) {
        JsonNode resolved = resolve(schema);
        int length = text.codePointCount(0, text.length());
        return (!resolved.has("pattern")
                || patterns.computeIfAbsent(resolved.get("pattern").asText(), Pattern::compile).matcher(text).find())
                && length >= resolved.path("minLength").asInt(0)
                && length <= resolved.path("maxLength").asInt(Integer.MAX_VALUE)
                && (!resolved.has("enum") || resolved.get("enum").toString().contains("\"" + text + "\""));
    }

    private JsonNode text(JsonNode schema) {
        List<String> candidates = switch (schema.path("format").asText()) {
            case "date-time" -> DATE_TIMES;
            default -> pool;
        };
        List<String> fitting = candidates.stream().filter(candidate -> fits(schema, candidate)).toList();
        if (fitting.isEmpty()) {
            uncovered.add(schema.has("pattern") ? "pattern " + schema.get("pattern").asText() : "text " + schema);
            return null;
        }
        return NODES.textNode(fitting.get(random.nextInt(fitting.size())));
    }

    /** The parts of an {@code allOf} as one object schema: their properties and required names together. */
    private JsonNode merged(JsonNode parts) {
        ObjectNode merged = NODES.objectNode().put("type", "object");
        ObjectNode properties = merged.putObject("properties");
        ArrayNode required = merged.putArray("required");
        parts.forEach(part -> {
            JsonNode resolved = resolve(part);
            resolved.path("properties").fields().forEachRemaining(p -> properties.set(p.getKey(), p.getValue()));
            resolved.path("required").forEach(required::add);
        });
        return merged;
    }

    private String type(JsonNode schema) {
        return type(schema, random);
    }

    /**
     * One of the schema's types other than {@code null} (a random one of several), or {@code object} for a schema
     * with properties, {@code string} for one with a pattern or format, else empty (any JSON).
     */
    static String type(JsonNode schema, Random random) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> {
                if (!t.asText().equals("null")) {
                    types.add(t.asText());
                }
            });
            return types.isEmpty() ? "null" : types.get(random.nextInt(types.size()));
        }
        return type.isTextual() ? type.asText() : schema.has("properties") ? "object"
                : schema.has("pattern") || schema.has("format") ? "string" : "";
    }

    JsonNode resolve(JsonNode schema) {
        return resolve(document, schema);
    }

    /** The schema a reference of the document points at, followed to the end. */
    static JsonNode resolve(JsonNode document, JsonNode schema) {
        for (int hops = 0; schema.has("$ref") && hops < 20; hops++) {
            schema = document.at(schema.get("$ref").asText().substring(1));
        }
        return schema;
    }
}
