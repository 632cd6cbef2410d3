package io.kaizen.devstack.platform;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import io.kaizen.devstack.PlatformRules;
import io.kaizen.devstack.Sink.SinkRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Notion's {@code POST /v1/pages} into one database, as the API judges a page: without
 * {@code Authorization: Bearer …} it is 401 {@code unauthorized}; without a {@code Notion-Version} header 400
 * {@code missing_version}; without {@code parent.database_id}, with a required property of the database missing, a
 * property the database does not have or a value of the wrong type, a rich text or title content over 2,000
 * characters, a rich text array or {@code children} over 100 elements, or a body over 500 KB, it is 400
 * {@code validation_error}, all in Notion's {@code {"object":"error","status":…,"code":…,"message":…}} shape. A page
 * that passes is answered with a page object.
 */
public final class NotionRules implements PlatformRules {

    /** Longest {@code text.content} of one rich text element (UTF-16 units, as Notion counts). */
    public static final int MAX_TEXT_CONTENT = 2000;
    /** Most elements of a rich text array, and most blocks in {@code children}. */
    public static final int MAX_ARRAY = 100;
    /** Largest request body, in bytes: Notion's 500 KB. */
    public static final int MAX_PAYLOAD_BYTES = 500_000;

    public enum Type { TITLE, RICH_TEXT, SELECT, NUMBER, DATE, URL }

    /** One property of the emulated database; a required one must be set on every page. */
    public record Property(String name, Type type, boolean required) {
    }

    /**
     * The original's database: {@code Name}, {@code Status}, {@code Agent ID}, {@code Execution Time (ms)} and
     * {@code Invoked At} required, with the optional columns its payload also filled, and a {@code Link}.
     */
    public static final List<Property> ORIGINAL_SCHEMA = List.of(
            new Property("Name", Type.TITLE, true),
            new Property("Status", Type.SELECT, true),
            new Property("Agent ID", Type.RICH_TEXT, true),
            new Property("Execution Time (ms)", Type.NUMBER, true),
            new Property("Invoked At", Type.DATE, true),
            new Property("Invocation ID", Type.RICH_TEXT, false),
            new Property("Completed At", Type.DATE, false),
            new Property("Error Message", Type.RICH_TEXT, false),
            new Property("Link", Type.URL, false));

    private static final Pattern BEARER = Pattern.compile("Bearer \\S+");
    private static final Pattern VERSION = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
    private static final Pattern DATABASE_ID = Pattern.compile(
            "[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> TEXT_BLOCKS = Set.of("paragraph", "heading_1", "heading_2", "heading_3",
            "bulleted_list_item", "numbered_list_item", "quote", "callout");

    private final Map<String, Property> schema = new LinkedHashMap<>();

    public NotionRules() {
        this(ORIGINAL_SCHEMA);
    }

    public NotionRules(List<Property> schema) {
        schema.forEach(property -> this.schema.put(property.name(), property));
    }

    @Override
    public String platform() {
        return "notion";
    }

    @Override
    public Answer answer(SinkRequest request) {
        if (!request.method().equals("POST") || !request.path().equals("/v1/pages")) {
            return error(400, "invalid_request_url", "Invalid request URL.");
        }
        String authorization = request.header("Authorization");
        if (authorization == null || !BEARER.matcher(authorization).matches()) {
            return error(401, "unauthorized", "API token is invalid.");
        }
        String version = request.header("Notion-Version");
        if (version == null) {
            return error(400, "missing_version",
                    "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.");
        }
        if (!VERSION.matcher(version).matches()) {
            return error(400, "validation_error", "Notion-Version header failed validation: `" + version
                    + "` is not a valid version.");
        }
        int size = request.body().getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_PAYLOAD_BYTES) {
            return error(400, "validation_error", "Request body too large: " + size + " bytes, the limit is "
                    + MAX_PAYLOAD_BYTES + ".");
        }
        JsonObject body = PlatformRules.jsonObject(request.body());
        if (body == null) {
            return error(400, "invalid_json", "Error parsing JSON body.");
        }
        String problem = pageProblem(body);
        if (problem != null) {
            return error(400, "validation_error", problem);
        }
        String id = UUID.randomUUID().toString();
        String now = Instant.now().toString();
        JsonObject page = new JsonObject()
                .put("object", "page")
                .put("id", id)
                .put("created_time", now)
                .put("last_edited_time", now)
                .put("archived", false)
                .put("parent", new JsonObject().put("type", "database_id")
                        .put("database_id", body.getJsonObject("parent").getString("database_id")))
                .put("properties", body.getJsonObject("properties"))
                .put("url", "https://www.notion.so/" + id.replace("-", ""));
        return new Answer(200, "application/json", page.encode());
    }

    /** What is wrong with the page, in Notion's words, or null. */
    private String pageProblem(JsonObject body) {
        Object parent = body.getValue("parent");
        if (!(parent instanceof JsonObject parentObject) || !(parentObject.getValue("database_id") instanceof String databaseId)) {
            return "body failed validation: body.parent.database_id should be defined, instead was `undefined`.";
        }
        if (!DATABASE_ID.matcher(databaseId).matches()) {
            return "body failed validation: body.parent.database_id should be a valid uuid, instead was `\"" + databaseId + "\"`.";
        }
        Object properties = body.getValue("properties");
        if (!(properties instanceof JsonObject given)) {
            return "body failed validation: body.properties should be an object, instead was `" + properties + "`.";
        }
        for (Property property : schema.values()) {
            if (property.required() && !given.containsKey(property.name())) {
                return property.name() + " is a required property of this database and is not provided.";
            }
        }
        for (String name : given.fieldNames()) {
            Property property = schema.get(name);
            if (property == null) {
                return name + " is not a property that exists.";
            }
            String problem = valueProblem(property, given.getValue(name), "body.properties." + name);
            if (problem != null) {
                return problem;
            }
        }
        Object children = body.getValue("children");
        if (children != null) {
            if (!(children instanceof JsonArray blocks)) {
                return "body failed validation: body.children should be an array, instead was `" + children + "`.";
            }
            if (blocks.size() > MAX_ARRAY) {
                return tooMany("body.children", blocks.size());
            }
            for (int i = 0; i < blocks.size(); i++) {
                String problem = blockProblem(blocks.getValue(i), "body.children[" + i + "]");
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String valueProblem(Property property, Object value, String path) {
        String key = property.type().name().toLowerCase(java.util.Locale.ROOT);
        if (!(value instanceof JsonObject object) || !object.containsKey(key)) {
            return property.name() + " is expected to be " + key + ".";
        }
        Object inner = object.getValue(key);
        return switch (property.type()) {
            case TITLE, RICH_TEXT -> richTextProblem(inner, path + "." + key);
            case SELECT -> inner == null || inner instanceof JsonObject select && select.getValue("name") instanceof String name
                    && !name.isBlank() && name.length() <= 100 && !name.contains(",")
                    ? null : "body failed validation: " + path + ".select.name should be a non-empty string of at most 100 characters without commas.";
            case NUMBER -> inner == null || inner instanceof Number ? null
                    : "body failed validation: " + path + ".number should be a number or `null`, instead was `" + inner + "`.";
            case DATE -> inner == null || inner instanceof JsonObject date && date.getValue("start") instanceof String start
                    && isDate(start) ? null
                    : "body failed validation: " + path + ".date.start should be an ISO 8601 date string.";
            case URL -> inner == null || inner instanceof String url && url.length() <= MAX_TEXT_CONTENT ? null
                    : "body failed validation: " + path + ".url should be a string of at most 2000 characters or `null`.";
        };
    }

    private static String blockProblem(Object value, String path) {
        if (!(value instanceof JsonObject block) || !(block.getValue("type") instanceof String type)) {
            return "body failed validation: " + path + ".type should be defined, instead was `undefined`.";
        }
        if (!TEXT_BLOCKS.contains(type)) {
            return "body failed validation: " + path + "." + type + " is not a supported block type.";
        }
        if (!(block.getValue(type) instanceof JsonObject content)) {
            return "body failed validation: " + path + "." + type + " should be defined, instead was `undefined`.";
        }
        return richTextProblem(content.getValue("rich_text"), path + "." + type + ".rich_text");
    }

    private static String richTextProblem(Object value, String path) {
        if (!(value instanceof JsonArray items)) {
            return "body failed validation: " + path + " should be an array, instead was `" + value + "`.";
        }
        if (items.size() > MAX_ARRAY) {
            return tooMany(path, items.size());
        }
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            if (!(items.getValue(i) instanceof JsonObject item) || !(item.getValue("text") instanceof JsonObject text)
                    || !(text.getValue("content") instanceof String content)) {
                return "body failed validation: " + itemPath + ".text.content should be defined, instead was `undefined`.";
            }
            if (content.length() > MAX_TEXT_CONTENT) {
                return "body failed validation: " + itemPath + ".text.content.length should be ≤ `2000`, instead was `"
                        + content.length() + "`.";
            }
        }
        return null;
    }

    private static String tooMany(String path, int size) {
        return "body failed validation: " + path + ".length should be ≤ `100`, instead was `" + size + "`.";
    }

    private static boolean isDate(String value) {
        try {
            OffsetDateTime.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            try {
                LocalDate.parse(value);
                return true;
            } catch (DateTimeParseException again) {
                return false;
            }
        }
    }

    private static Answer error(int status, String code, String message) {
        return new Answer(status, "application/json", new JsonObject()
                .put("object", "error").put("status", status).put("code", code).put("message", message).encode());
    }
}
