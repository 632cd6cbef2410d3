package io.kaizen.gateway.adapter;

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
 * Telegram's Bot API: one {@code sendMessage} to {@code {endpointUrl}/bot{bot_token}/sendMessage} for the
 * {@code chat_id} of the agent's platform_config, in MarkdownV2: a status emoji and the title in bold, the text, the
 * facts with bold labels, the time in italics, and the link as an inline keyboard button. Every reserved character
 * of dynamic text is escaped, the backslash included (the original's escaping left it bare, so a text like
 * {@code C:\.} broke the message). The text is at most 4,096 characters measured after escaping; a longer one is
 * shortened with an ellipsis, never inside an escape or a surrogate pair.
 */
@ApplicationScoped
public class TelegramAdapter implements PlatformAdapter {

    /** Telegram's longest message text. */
    static final int MAX_TEXT = 4096;
    static final int MAX_TITLE = 256;
    static final int MAX_FACT_NAME = 64;
    static final int MAX_FACT_VALUE = 512;
    /** All fact lines together, so a long list of facts never crowds out the text. */
    static final int MAX_FACTS = 1024;
    static final int MAX_LINK = 2048;
    static final String DEFAULT_ENDPOINT = "https://api.telegram.org";

    private static final String RESERVED = "_*[]()~`>#+-=|{}.!\\";
    private static final Pattern BOT_TOKEN = Pattern.compile("[0-9]{3,20}:[A-Za-z0-9_-]{20,100}");

    private final ObjectMapper mapper;

    TelegramAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "telegram";
    }

    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        Map<String, Object> config = agent.platformConfig() == null ? Map.of() : agent.platformConfig();
        // the token is a secret and goes into the URL: checked here so it cannot reshape the URL, never echoed
        if (!(config.get("bot_token") instanceof String token) || !BOT_TOKEN.matcher(token).matches()) {
            throw new UpstreamException("the telegram agent has no well-formed bot_token", false, null);
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("chat_id", config.get("chat_id"));
        payload.put("text", text(message));
        payload.put("parse_mode", "MarkdownV2");
        if (WebLink.isWebUrl(message.link(), MAX_LINK)) {
            Map<String, Object> button = new LinkedHashMap<>();
            button.put("text", "View Invocation");
            button.put("url", message.link());
            payload.put("reply_markup", Map.of("inline_keyboard", List.of(List.of(button))));
        }
        return OutboundRequest.json(endpoint(agent) + "/bot" + token + "/sendMessage", write(payload));
    }

    /** The answer's JSON; {@code "ok": false} (or an answer that is not Telegram's) fails the call. */
    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        JsonNode output;
        try {
            output = mapper.readTree(reply.body().getBytes());
        } catch (java.io.IOException e) {
            output = null;
        }
        if (output == null || !output.path("ok").asBoolean(false)) {
            throw new UpstreamException("telegram did not accept the message" + AgentSender.excerpt(reply.body()),
                    false, reply.status());
        }
        return new AgentReply(reply.status(), output, null, null, null);
    }

    /** The MarkdownV2 text: header, body, facts and time, in at most {@link #MAX_TEXT} units as written. */
    static String text(PlatformMessage message) {
        List<String> others = new ArrayList<>();
        String title = MessageText.wellFormed(message.title());
        if (!title.isEmpty() || message.status() != PlatformMessage.Status.INFO) {
            String emoji = message.status().emoji();
            others.add(title.isEmpty() ? emoji : emoji + " *" + escape(title, MAX_TITLE) + "*");
        }
        String facts = facts(message.facts());
        String time = "_" + escape(message.timestamp().truncatedTo(ChronoUnit.SECONDS).toString()) + "_";
        int fixed = others.stream().mapToInt(part -> part.length() + 2).sum()
                + (facts.isEmpty() ? 0 : facts.length() + 2) + time.length();
        String body = escape(MessageText.wellFormed(message.text()), MAX_TEXT - fixed - 2);
        List<String> parts = new ArrayList<>(others);
        parts.add(body);
        parts.add(facts);
        parts.add(time);
        parts.removeIf(String::isEmpty);
        return String.join("\n\n", parts);
    }

    private static String facts(List<PlatformMessage.Fact> facts) {
        StringBuilder lines = new StringBuilder();
        for (PlatformMessage.Fact fact : facts) {
            String line = "*" + escape(MessageText.wellFormed(fact.name()), MAX_FACT_NAME) + ":* "
                    + escape(MessageText.wellFormed(fact.value() == null ? "" : fact.value()), MAX_FACT_VALUE);
            int needed = (lines.isEmpty() ? 0 : 1) + line.length();
            if (lines.length() + needed > MAX_FACTS - 2) {
                lines.append(lines.isEmpty() ? "" : "\n").append(MessageText.ELLIPSIS);
                break;
            }
            lines.append(lines.isEmpty() ? "" : "\n").append(line);
        }
        return lines.toString();
    }

    /** Every MarkdownV2 reserved character, and the backslash, preceded by a backslash. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (RESERVED.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * The escaped text in at most {@code maxUnits}: whole when it fits, else the longest run of whole characters with
     * their escapes that fits with an ellipsis (so a cut never separates a backslash from what it escapes).
     */
    static String escape(String text, int maxUnits) {
        String escaped = escape(text);
        if (escaped.length() <= maxUnits) {
            return escaped;
        }
        int room = maxUnits - MessageText.ELLIPSIS.length();
        if (room < 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(room);
        int i = 0;
        while (i < text.length()) {
            int next = i + Character.charCount(text.codePointAt(i));
            String piece = escape(text.substring(i, next));
            if (out.length() + piece.length() > room) {
                break;
            }
            out.append(piece);
            i = next;
        }
        return out.append(MessageText.ELLIPSIS).toString();
    }

    private static String endpoint(AgentDefinition agent) {
        String url = agent.endpointUrl() == null || agent.endpointUrl().isBlank() ? DEFAULT_ENDPOINT : agent.endpointUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private byte[] write(Object payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("telegram message is not serialisable", e);
        }
    }
}
