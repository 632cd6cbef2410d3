package io.kaizen.gateway.adapter;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.agents.AgentDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Notion: one page in the agent's database, {@code POST {endpointUrl}/v1/pages} with {@code Notion-Version}
 * (platform_config {@code notion_version}, default {@value #DEFAULT_VERSION}) and the integration token as a bearer
 * token (platform_config {@code token}, else the bearer credentials). The page has the original's properties:
 * {@code Name} (the title), {@code Status} (select {@code Success}, {@code Failed}, {@code Pending}, or
 * {@code Info}), {@code Agent ID}, {@code Invocation ID}, {@code Execution Time (ms)}, {@code Invoked At},
 * {@code Completed At} and {@code Error Message} (from the facts of those names), and {@code Link} (the message's
 * link); its icon is the status emoji. Other facts and the text are paragraphs, the text cut into pieces of at most
 * 2,000 characters and at most 100 blocks in all, shortened with an ellipsis beyond that or beyond Notion's 500 KB
 * request size.
 */
@ApplicationScoped
public class NotionAdapter implements PlatformAdapter {

    static final String DEFAULT_VERSION = "2022-06-28";
    static final String DEFAULT_ENDPOINT = "https://api.notion.com";
    /** Longest content of one rich text element. */
    static final int MAX_TEXT_CONTENT = 2000;
    /** Most blocks in one request's children. */
    static final int MAX_BLOCKS = 100;
    /** Facts shown as paragraphs leave at least half of the blocks to the text. */
    static final int MAX_FACT_BLOCKS = 50;
    static final int MAX_FACT_LABEL = 100;
    /** A title taken from the text's first line stays a short headline. */
    static final int MAX_DERIVED_TITLE = 100;
    /**
     * JSON bytes for the text and for the fact paragraphs: with the properties (at most 6 texts of 2,000 characters)
     * and the blocks' markup the page stays under Notion's 500 KB request limit whatever the characters.
     */
    static final int MAX_TEXT_BYTES = 280_000;
    static final int MAX_FACT_BYTES = 120_000;

    static final String AGENT_ID = "Agent ID";
    static final String INVOCATION_ID = "Invocation ID";
    static final String EXECUTION_TIME = "Execution Time (ms)";
    static final String INVOKED_AT = "Invoked At";
    static final String COMPLETED_AT = "Completed At";
    static final String ERROR_MESSAGE = "Error Message";

    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,15}(\\.[0-9]{1,6})?");
    private static final Map<PlatformMessage.Status, String> STATUS = Map.of(
            PlatformMessage.Status.SUCCESS, "Success", PlatformMessage.Status.FAILED, "Failed",
            PlatformMessage.Status.PENDING, "Pending", PlatformMessage.Status.INFO, "Info");

    private final ObjectMapper mapper;

    NotionAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "notion";
    }

    /** An invocation's input as a page, with its invocation id. */
    @Override
    public OutboundRequest format(AgentCall call) {
        PlatformMessage input = PlatformMessage.ofInput(call);
        List<PlatformMessage.Fact> facts = new ArrayList<>(input.facts());
        facts.add(0, new PlatformMessage.Fact(INVOCATION_ID, call.invocationId()));
        return render(call.agent(), new PlatformMessage(input.title(), input.text(), input.status(), facts,
                input.link(), input.timestamp()));
    }

    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        Map<String, Object> config = agent.platformConfig() == null ? Map.of() : agent.platformConfig();
        if (!(config.get("database_id") instanceof String databaseId) || databaseId.isBlank()) {
            throw new UpstreamException("the notion agent has no database_id in its platform_config", false, null);
        }
        Map<String, String> columns = new LinkedHashMap<>();
        List<PlatformMessage.Fact> others = new ArrayList<>();
        for (PlatformMessage.Fact fact : message.facts()) {
            String value = MessageText.wellFormed(fact.value() == null ? "" : fact.value());
            if (fits(fact.name(), value) && !columns.containsKey(fact.name())) {
                columns.put(fact.name(), value);
            } else {
                others.add(fact);
            }
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("parent", Map.of("database_id", databaseId));
        page.put("icon", Map.of("type", "emoji", "emoji", message.status().emoji()));
        page.put("properties", properties(agent, message, columns));
        page.put("children", children(others, message.text()));
        OutboundRequest request = OutboundRequest.json(endpoint(agent) + "/v1/pages", write(page))
                .withHeader("Notion-Version", config.get("notion_version") instanceof String version && !version.isBlank()
                        ? version : DEFAULT_VERSION);
        String token = token(agent, config);
        return token == null ? request : request.withHeader("Authorization", "Bearer " + token);
    }

    /** The database columns: title and status from the message, the others from the facts that fit them. */
    private static Map<String, Object> properties(AgentDefinition agent, PlatformMessage message, Map<String, String> columns) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("Name", Map.of("title", richText(title(message))));
        properties.put("Status", Map.of("select", Map.of("name", STATUS.get(message.status()))));
        properties.put(AGENT_ID, Map.of("rich_text", richText(columns.getOrDefault(AGENT_ID, agent.id() == null ? "" : agent.id()))));
        if (columns.containsKey(INVOCATION_ID)) {
            properties.put(INVOCATION_ID, Map.of("rich_text", richText(columns.get(INVOCATION_ID))));
        }
        // a required column: null (empty) when the message has no execution time
        Map<String, Object> executionTime = new LinkedHashMap<>();
        executionTime.put("number", columns.containsKey(EXECUTION_TIME) ? new BigDecimal(columns.get(EXECUTION_TIME).strip()) : null);
        properties.put(EXECUTION_TIME, executionTime);
        properties.put(INVOKED_AT, date(columns.getOrDefault(INVOKED_AT,
                message.timestamp().truncatedTo(ChronoUnit.MILLIS).toString())));
        if (columns.containsKey(COMPLETED_AT)) {
            properties.put(COMPLETED_AT, date(columns.get(COMPLETED_AT)));
        }
        if (columns.containsKey(ERROR_MESSAGE)) {
            properties.put(ERROR_MESSAGE, Map.of("rich_text", richText(columns.get(ERROR_MESSAGE))));
        }
        if (WebLink.isWebUrl(message.link(), MAX_TEXT_CONTENT)) {
            properties.put("Link", Map.of("url", message.link()));
        }
        return properties;
    }

    /** The other facts (label in bold), then the text in pieces, within the block and the size limits. */
    private static List<Object> children(List<PlatformMessage.Fact> facts, String text) {
        List<Object> children = new ArrayList<>();
        int factBytes = 0;
        for (PlatformMessage.Fact fact : facts.subList(0, Math.min(facts.size(), MAX_FACT_BLOCKS))) {
            String label = MessageText.fit(MessageText.wellFormed(fact.name()), MAX_FACT_LABEL) + ": ";
            String value = MessageText.fit(MessageText.wellFormed(fact.value() == null ? "" : fact.value()),
                    MAX_TEXT_CONTENT);
            factBytes += jsonBytes(label) + jsonBytes(value);
            if (factBytes > MAX_FACT_BYTES) {
                break;
            }
            children.add(paragraph(List.of(text(label, true), text(value, false))));
        }
        String body = withinJsonBytes(MessageText.wellFormed(text), MAX_TEXT_BYTES);
        for (String piece : MessageText.pieces(body, MAX_TEXT_CONTENT, MAX_BLOCKS - children.size())) {
            children.add(paragraph(List.of(text(piece, false))));
        }
        return children;
    }

    /** The text, or its longest prefix with an ellipsis whose JSON encoding takes at most {@code maxBytes}. */
    private static String withinJsonBytes(String text, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            bytes += jsonBytes(text.charAt(i));
            if (bytes > maxBytes) {
                return MessageText.fit(text, i);
            }
        }
        return text;
    }

    private static int jsonBytes(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            bytes += jsonBytes(text.charAt(i));
        }
        return bytes;
    }

    /** At most what one UTF-16 unit takes in JSON as UTF-8: a control character is written as a 6-byte escape. */
    private static int jsonBytes(char c) {
        if (c < 0x20) {
            return 6;
        }
        if (c == '"' || c == '\\') {
            return 2;
        }
        if (c < 0x80) {
            return 1;
        }
        // a surrogate pair is 4 bytes, 2 per unit
        return c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }

    /** The page object Notion answered. */
    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        JsonNode output;
        try {
            output = reply.body().length() == 0 ? mapper.nullNode() : mapper.readTree(reply.body().getBytes());
        } catch (java.io.IOException e) {
            output = mapper.getNodeFactory().textNode(reply.body().toString());
        }
        return new AgentReply(reply.status(), output, null, null, null);
    }

    /** Whether a fact fills a typed property of the page (a number that is a number, a date that is a date). */
    private static boolean fits(String name, String value) {
        return switch (name) {
            case AGENT_ID, INVOCATION_ID, ERROR_MESSAGE -> true;
            case EXECUTION_TIME -> NUMBER.matcher(value.strip()).matches();
            case INVOKED_AT, COMPLETED_AT -> isDateTime(value);
            default -> false;
        };
    }

    private static String title(PlatformMessage message) {
        String title = MessageText.wellFormed(message.title()).strip();
        if (!title.isEmpty()) {
            return title;
        }
        String text = MessageText.wellFormed(message.text()).strip();
        int lineEnd = text.indexOf('\n');
        String firstLine = (lineEnd < 0 ? text : text.substring(0, lineEnd)).strip();
        return firstLine.isEmpty() ? "Message" : MessageText.fit(firstLine, MAX_DERIVED_TITLE);
    }

    private static List<Object> richText(String content) {
        return List.of(text(MessageText.fit(content, MAX_TEXT_CONTENT), false));
    }

    private static Map<String, Object> text(String content, boolean bold) {
        Map<String, Object> element = new LinkedHashMap<>();
        element.put("type", "text");
        element.put("text", Map.of("content", content));
        if (bold) {
            element.put("annotations", Map.of("bold", true));
        }
        return element;
    }

    private static Map<String, Object> paragraph(List<Object> richText) {
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("object", "block");
        block.put("type", "paragraph");
        block.put("paragraph", Map.of("rich_text", richText));
        return block;
    }

    private static Map<String, Object> date(String start) {
        return Map.of("date", Map.of("start", start.strip()));
    }

    private static boolean isDateTime(String value) {
        try {
            OffsetDateTime.parse(value.strip());
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String token(AgentDefinition agent, Map<String, Object> config) {
        if (config.get("token") instanceof String token && !token.isBlank()) {
            return token;
        }
        Map<String, Object> credentials = agent.credentials() == null ? Map.of() : agent.credentials();
        return credentials.get("token") instanceof String token && !token.isBlank() ? token : null;
    }

    private static String endpoint(AgentDefinition agent) {
        String url = agent.endpointUrl() == null || agent.endpointUrl().isBlank() ? DEFAULT_ENDPOINT : agent.endpointUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private byte[] write(Object payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("notion page is not serialisable", e);
        }
    }
}
