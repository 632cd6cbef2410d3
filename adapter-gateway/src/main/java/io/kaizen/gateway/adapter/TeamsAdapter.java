package io.kaizen.gateway.adapter;

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
 * Microsoft Teams through a Workflows (or Incoming Webhook) URL: an Adaptive Card 1.4 in a {@code message}
 * attachment, or a legacy MessageCard when {@code platform_config.card_format} is {@code message_card}. The title is
 * a heading, the status a coloured line with the time, the text a wrapped block, the facts a FactSet and the link an
 * {@code Action.OpenUrl}. Teams refuses payloads over 28 KB: texts get generous shares of it and, when a message still
 * comes out larger, every share shrinks until it fits in {@link #MAX_PAYLOAD_BYTES}.
 */
@ApplicationScoped
public class TeamsAdapter implements PlatformAdapter {

    /** Below Teams' 28 KB with room for the envelope a Workflow adds. */
    static final int MAX_PAYLOAD_BYTES = 27 * 1024;
    static final int TITLE_CHARS = 256;
    static final int TEXT_CHARS = 20_000;
    static final int FACT_TITLE_CHARS = 200;
    static final int FACT_VALUE_CHARS = 1000;
    static final int MAX_FACTS = 30;
    private static final int MAX_SHRINK_ROUNDS = 20;

    private final ObjectMapper mapper;

    TeamsAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "teams";
    }

    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        boolean messageCard = "message_card".equals(WebhookDestination.setting(agent, "card_format"));
        double share = 1.0;
        byte[] body = write(messageCard ? messageCard(message, share) : adaptiveCard(message, share));
        // shares shrink by what the payload is over, plus a margin: a few rounds suffice, since at the smallest share
        // (8 characters a text, 30 facts) a card is a few KB whatever the characters
        for (int round = 0; body.length > MAX_PAYLOAD_BYTES && round < MAX_SHRINK_ROUNDS; round++) {
            share = share * MAX_PAYLOAD_BYTES / body.length * 0.9;
            body = write(messageCard ? messageCard(message, share) : adaptiveCard(message, share));
        }
        return OutboundRequest.json(WebhookDestination.url(agent), body);
    }

    private ObjectNode adaptiveCard(PlatformMessage message, double share) {
        ObjectNode payload = mapper.createObjectNode().put("type", "message");
        ObjectNode attachment = payload.putArray("attachments").addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive");
        ObjectNode card = attachment.putObject("content")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard")
                .put("version", "1.4");
        ArrayNode body = card.putArray("body");
        String title = fit(message.title(), TITLE_CHARS, share);
        if (!title.isEmpty()) {
            body.addObject().put("type", "TextBlock").put("text", title).put("size", "Large").put("weight", "Bolder")
                    .put("wrap", true);
        }
        String iso = DateTimeFormatter.ISO_INSTANT.format(message.timestamp());
        body.addObject().put("type", "TextBlock")
                .put("text", message.status().emoji() + " " + message.status().label()
                        + " · {{DATE(" + iso + ", SHORT)}} {{TIME(" + iso + ")}}")
                .put("color", colour(message.status())).put("isSubtle", true).put("spacing", "Small").put("wrap", true);
        String text = fit(message.text(), TEXT_CHARS, share);
        if (!text.isEmpty()) {
            body.addObject().put("type", "TextBlock").put("text", text).put("wrap", true);
        }
        List<PlatformMessage.Fact> facts = shownFacts(message.facts());
        if (!facts.isEmpty()) {
            ArrayNode set = body.addObject().put("type", "FactSet").putArray("facts");
            for (PlatformMessage.Fact fact : facts) {
                set.addObject().put("title", fit(fact.name(), FACT_TITLE_CHARS, share))
                        .put("value", fit(fact.value(), FACT_VALUE_CHARS, share));
            }
            addOmitted(message.facts(), facts, count -> set.addObject().put("title", "…").put("value", count + " more"));
        }
        String link = WebhookDestination.link(message.link(), 2048);
        if (link != null) {
            card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "View details")
                    .put("url", link);
        }
        card.putObject("msteams").put("width", "Full");
        return payload;
    }

    private ObjectNode messageCard(PlatformMessage message, double share) {
        String title = fit(message.title(), TITLE_CHARS, share);
        String text = fit(message.text(), TEXT_CHARS, share);
        // the summary is what a notification shows: plain text, short
        String plainTitle = MessageText.wellFormed(message.title()).strip();
        String summary = MessageText.fit(!plainTitle.isEmpty() ? plainTitle
                : !message.text().isBlank() ? message.text().strip() : message.status().label(), 80);
        ObjectNode card = mapper.createObjectNode()
                .put("@type", "MessageCard")
                .put("@context", "https://schema.org/extensions")
                .put("themeColor", themeColour(message.status()))
                .put("summary", summary);
        if (!title.isEmpty()) {
            card.put("title", title);
        }
        if (!text.isEmpty()) {
            card.put("text", text);
        }
        ObjectNode section = card.putArray("sections").addObject()
                .put("activitySubtitle", message.status().emoji() + " " + message.status().label() + " · "
                        + DateTimeFormatter.ISO_INSTANT.format(message.timestamp()));
        List<PlatformMessage.Fact> facts = shownFacts(message.facts());
        if (!facts.isEmpty()) {
            ArrayNode set = section.putArray("facts");
            for (PlatformMessage.Fact fact : facts) {
                set.addObject().put("name", fit(fact.name(), FACT_TITLE_CHARS, share))
                        .put("value", fit(fact.value(), FACT_VALUE_CHARS, share));
            }
            addOmitted(message.facts(), facts, count -> set.addObject().put("name", "…").put("value", count + " more"));
        }
        String link = WebhookDestination.link(message.link(), 2048);
        if (link != null) {
            ObjectNode action = card.putArray("potentialAction").addObject().put("@type", "OpenUri")
                    .put("name", "View details");
            action.putArray("targets").addObject().put("os", "default").put("uri", link);
        }
        return card;
    }

    private static List<PlatformMessage.Fact> shownFacts(List<PlatformMessage.Fact> facts) {
        return facts.size() <= MAX_FACTS ? facts : facts.subList(0, MAX_FACTS - 1);
    }

    private static void addOmitted(List<PlatformMessage.Fact> all, List<PlatformMessage.Fact> shown,
            java.util.function.IntConsumer note) {
        if (shown.size() < all.size()) {
            note.accept(all.size() - shown.size());
        }
    }

    /** A text within its share of its limit; at least a few characters stay so a shrunk message still reads. */
    private static String fit(String text, int maxChars, double share) {
        int room = Math.max(8, (int) (maxChars * share));
        return MessageText.fit(MessageText.wellFormed(text).strip(), room, TeamsAdapter::escape);
    }

    /**
     * Teams renders a Markdown subset in card texts: a backslash before the characters that would make emphasis,
     * code or a link ({@code * _ ` [ ] ( )}), and before the backslash itself, keeps them literal.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\*_`[]()".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String colour(PlatformMessage.Status status) {
        return switch (status) {
            case INFO -> "Accent";
            case SUCCESS -> "Good";
            case FAILED -> "Attention";
            case PENDING -> "Warning";
        };
    }

    private static String themeColour(PlatformMessage.Status status) {
        return switch (status) {
            case INFO -> "0076D7";
            case SUCCESS -> "2EB67D";
            case FAILED -> "D13438";
            case PENDING -> "FFB900";
        };
    }


    /** A Workflow answers 202 with no body, a legacy Incoming Webhook 200 with {@code 1}: either way, accepted. */
    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        return new AgentReply(reply.status(), mapper.createObjectNode().put("accepted", true), null, null, null);
    }

    private byte[] write(JsonNode payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Teams message is not serialisable", e);
        }
    }
}
