package io.kaizen.gateway.adapter;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.common.agents.AgentDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Slack incoming webhook: a Block Kit message with a fallback {@code text} for notifications. The title is a header
 * block, the text one or more sections, the facts section fields, the link a button, the status and time a context
 * line. It stays within Slack's limits for any text: at most 50 blocks, 150 characters of header, 3,000 of section
 * text, 10 fields of 2,000 each; longer text is split over sections and, past {@link #MAX_TEXT_SECTIONS}, cut with an
 * ellipsis.
 */
@ApplicationScoped
public class SlackAdapter implements PlatformAdapter {

    static final int HEADER_CHARS = 150;
    static final int SECTION_CHARS = 3000;
    static final int FIELD_CHARS = 2000;
    static final int FIELDS_PER_SECTION = 10;
    /** 36,000 characters of text: beyond that a chat message is no place to read it. */
    static final int MAX_TEXT_SECTIONS = 12;
    static final int MAX_FACT_SECTIONS = 5;
    static final int FALLBACK_CHARS = 500;
    private static final String ZERO_WIDTH_SPACE = "\u200B";

    private final ObjectMapper mapper;

    SlackAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "slack";
    }

    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        String title = MessageText.wellFormed(message.title()).strip();
        ObjectNode payload = mapper.createObjectNode();
        String channel = WebhookDestination.setting(agent, "channel");
        if (channel != null) {
            payload.put("channel", channel);
        }
        String summary = !title.isEmpty() ? title : !message.text().isBlank() ? message.text().strip() : message.status().label();
        payload.put("text", emoji(message.status()) + " " + MessageText.fit(summary, FALLBACK_CHARS, SlackAdapter::escape));
        ArrayNode blocks = payload.putArray("blocks");
        if (!title.isEmpty()) {
            blocks.addObject().put("type", "header").set("text", plainText(MessageText.fit(title, HEADER_CHARS)));
        }
        for (String piece : MessageText.split(message.text(), SECTION_CHARS, MAX_TEXT_SECTIONS, SlackAdapter::escape)) {
            blocks.addObject().put("type", "section").set("text", mrkdwn(piece));
        }
        addFacts(blocks, message.facts());
        String link = WebhookDestination.link(message.link(), 3000);
        if (link != null) {
            ObjectNode button = blocks.addObject().put("type", "actions").putArray("elements").addObject()
                    .put("type", "button");
            button.set("text", plainText("View details"));
            button.put("url", link);
        }
        String iso = DateTimeFormatter.ISO_INSTANT.format(message.timestamp());
        blocks.addObject().put("type", "context").putArray("elements").add(mrkdwn(emoji(message.status()) + " "
                + message.status().label() + " · <!date^" + message.timestamp().getEpochSecond()
                + "^{date_short_pretty} {time}|" + iso + ">"));
        return OutboundRequest.json(WebhookDestination.url(agent), write(payload));
    }

    /** Facts as section fields, ten to a section; what does not fit is counted in a last field. */
    private void addFacts(ArrayNode blocks, List<PlatformMessage.Fact> facts) {
        int room = MAX_FACT_SECTIONS * FIELDS_PER_SECTION;
        List<PlatformMessage.Fact> shown = facts.size() <= room ? facts : facts.subList(0, room - 1);
        ArrayNode fields = null;
        for (PlatformMessage.Fact fact : shown) {
            String name = MessageText.fit(MessageText.wellFormed(fact.name()).strip(), 200, SlackAdapter::escape);
            String label = name.isEmpty() ? "" : "*" + name + "*\n";
            String value = MessageText.fit(fact.value() == null ? "" : fact.value(), FIELD_CHARS - label.length(),
                    SlackAdapter::escape);
            String field = label + value;
            if (field.isBlank()) {
                continue;
            }
            if (fields == null || fields.size() == FIELDS_PER_SECTION) {
                fields = blocks.addObject().put("type", "section").putArray("fields");
            }
            fields.add(mrkdwn(field));
        }
        if (shown.size() < facts.size()) {
            if (fields == null || fields.size() == FIELDS_PER_SECTION) {
                fields = blocks.addObject().put("type", "section").putArray("fields");
            }
            fields.add(mrkdwn("_… and " + (facts.size() - shown.size()) + " more_"));
        }
    }

    /**
     * Slack's own escaping for {@code &}, {@code <} and {@code >} (so text never becomes a link or an
     * {@code <!channel>} mention); Slack has no escape for {@code * _ ~ `}, so each is set between zero-width spaces,
     * which keeps it from opening or closing bold, italics, strike-through or code.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '*', '_', '~', '`' -> out.append(ZERO_WIDTH_SPACE).append(c).append(ZERO_WIDTH_SPACE);
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private ObjectNode plainText(String text) {
        return mapper.createObjectNode().put("type", "plain_text").put("text", text).put("emoji", true);
    }

    private ObjectNode mrkdwn(String text) {
        return mapper.createObjectNode().put("type", "mrkdwn").put("text", text);
    }

    private static String emoji(PlatformMessage.Status status) {
        return switch (status) {
            case INFO -> ":information_source:";
            case SUCCESS -> ":white_check_mark:";
            case FAILED -> ":x:";
            case PENDING -> ":hourglass_flowing_sand:";
        };
    }

    /** Slack answers a delivered message with the text {@code ok}. */
    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        String body = reply.body().toString(StandardCharsets.UTF_8).strip();
        ObjectNode output = mapper.createObjectNode().put("ok", true);
        if (!body.isEmpty() && !body.equals("ok")) {
            output.put("answer", body);
        }
        return new AgentReply(reply.status(), output, null, null, null);
    }

    private byte[] write(JsonNode payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Slack message is not serialisable", e);
        }
    }
}
