package io.kaizen.gateway.adapter;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kaizen.common.agents.AgentDefinition;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Discord webhook: one embed with the title, the text as description, the facts as fields, the status as colour and
 * footer, and the time; sent with {@code ?wait=true} so Discord answers with the message it created. Within Discord's
 * limits for any text: a title of 256 characters, a description of 4,096 (longer text is cut with an ellipsis),
 * at most 25 fields of 256 and 1,024 that together take at most {@link #FIELDS_CHARS}, so the embed never nears the
 * 6,000 characters Discord allows in all. No one is ever mentioned: {@code allowed_mentions} is empty.
 */
@ApplicationScoped
public class DiscordAdapter implements PlatformAdapter {

    static final int TITLE_CHARS = 256;
    static final int DESCRIPTION_CHARS = 4096;
    static final int FIELD_NAME_CHARS = 100;
    static final int FIELD_VALUE_CHARS = 1024;
    static final int MAX_FIELDS = 25;
    /** What all fields may take: title + description + fields + footer stay far below 6,000. */
    static final int FIELDS_CHARS = 1500;
    static final int USERNAME_CHARS = 80;
    /** Shown for a fact without a name or a value: Discord rejects blank field names and values. */
    private static final String BLANK = "—";

    private final ObjectMapper mapper;

    DiscordAdapter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public String platform() {
        return "discord";
    }

    @Override
    public OutboundRequest render(AgentDefinition agent, PlatformMessage message) {
        ObjectNode payload = mapper.createObjectNode();
        String username = username(WebhookDestination.setting(agent, "username"));
        if (username != null) {
            payload.put("username", username);
        }
        String avatar = WebhookDestination.link(WebhookDestination.setting(agent, "avatar_url"), 2048);
        if (avatar != null) {
            payload.put("avatar_url", avatar);
        }
        payload.putObject("allowed_mentions").putArray("parse");
        ObjectNode embed = payload.putArray("embeds").addObject();
        String link = WebhookDestination.link(message.link(), 2048);
        String title = MessageText.wellFormed(message.title()).strip();
        if (!title.isEmpty()) {
            embed.put("title", MessageText.fit(title, TITLE_CHARS, DiscordAdapter::escape));
        } else if (link != null) {
            embed.put("title", "View details");
        }
        if (link != null) {
            embed.put("url", link);
        }
        String description = MessageText.fit(message.text().strip(), DESCRIPTION_CHARS, DiscordAdapter::escape);
        if (!description.isBlank()) {
            embed.put("description", description);
        }
        embed.put("color", colour(message.status()));
        addFields(embed, message.facts());
        ObjectNode footer = embed.putObject("footer").put("text", message.status().emoji() + " "
                + message.status().label());
        String footerIcon = WebhookDestination.link(WebhookDestination.setting(agent, "footer_icon_url"), 2048);
        if (footerIcon != null) {
            footer.put("icon_url", footerIcon);
        }
        embed.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(message.timestamp()));
        return OutboundRequest.json(withWait(WebhookDestination.url(agent)), write(payload));
    }

    private void addFields(ObjectNode embed, List<PlatformMessage.Fact> facts) {
        if (facts.isEmpty()) {
            return;
        }
        ArrayNode fields = embed.putArray("fields");
        // room kept for the last field that counts what was left out
        int budget = FIELDS_CHARS - 20;
        int used = 0;
        int shown = 0;
        for (PlatformMessage.Fact fact : facts) {
            if (shown == MAX_FIELDS - 1 && facts.size() > MAX_FIELDS) {
                break;
            }
            String name = nonBlank(MessageText.fit(MessageText.wellFormed(fact.name()).strip(), FIELD_NAME_CHARS,
                    DiscordAdapter::escape));
            int valueRoom = Math.min(FIELD_VALUE_CHARS, budget - used - name.length());
            if (valueRoom < 16) {
                break;
            }
            String value = nonBlank(MessageText.fit(MessageText.wellFormed(fact.value()).strip(), valueRoom,
                    DiscordAdapter::escape));
            fields.addObject().put("name", name).put("value", value).put("inline", value.length() <= 40);
            used += name.length() + value.length();
            shown++;
        }
        if (shown < facts.size()) {
            fields.addObject().put("name", "…").put("value", (facts.size() - shown) + " more").put("inline", false);
        }
    }

    /**
     * Discord markdown made literal: a backslash before each character that formats ({@code * _ ~ ` |}), quotes,
     * heads or lists a line ({@code > # -}), makes a masked link ({@code [ ] ( )}) or a mention ({@code <}), and
     * before the backslash itself.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\*_~`|>#-[]()<".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Discord refuses a username over 80 characters or containing "discord" or "clyde": the webhook's own is used. */
    static String username(String configured) {
        if (configured == null) {
            return null;
        }
        String name = MessageText.fit(MessageText.wellFormed(configured).strip(), USERNAME_CHARS);
        String lower = name.toLowerCase(Locale.ROOT);
        return name.isEmpty() || lower.contains("discord") || lower.contains("clyde") ? null : name;
    }

    /** The webhook URL asking Discord to answer with the created message ({@code wait=true}). */
    static String withWait(String webhookUrl) {
        int fragment = webhookUrl.indexOf('#');
        String url = fragment < 0 ? webhookUrl : webhookUrl.substring(0, fragment);
        if (url.matches(".*[?&]wait=[^&]*.*")) {
            return url.replaceAll("([?&])wait=[^&]*", "$1wait=true");
        }
        return url + (url.indexOf('?') < 0 ? "?" : "&") + "wait=true";
    }

    private static String nonBlank(String text) {
        return text.isBlank() ? BLANK : text;
    }

    private static int colour(PlatformMessage.Status status) {
        return switch (status) {
            case INFO -> 0x0076D7;
            case SUCCESS -> 0x2EB67D;
            case FAILED -> 0xD13438;
            case PENDING -> 0xFFB900;
        };
    }


    /** With {@code wait=true} Discord answers 200 with the message object; without it, 204. */
    @Override
    public AgentReply read(OutboundHttp.Reply reply) {
        JsonNode output = mapper.createObjectNode().put("delivered", true);
        if (reply.body().length() > 0) {
            try {
                output = mapper.readTree(reply.body().getBytes());
            } catch (java.io.IOException e) {
                throw new UpstreamException("Discord answered HTTP " + reply.status() + " with a body that is not JSON",
                        false, reply.status());
            }
        }
        return new AgentReply(reply.status(), output, null, null, null);
    }

    private byte[] write(JsonNode payload) {
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Discord message is not serialisable", e);
        }
    }
}
