package io.kaizen.gateway.adapter;

import java.util.List;
import java.util.Locale;

/**
 * A {@link PlatformMessage} as an e-mail: a one-line subject, a plain-text body and a simple HTML body in which every
 * text of the message is escaped. Stored as a delivery's body (JSON) and sent by the mailer.
 */
public record EmailMessage(List<String> to, String subject, String text, String html) {

    /** Longest subject; RFC 5322 recommends lines under 78 characters, and a subject is read at a glance. */
    static final int MAX_SUBJECT_CHARS = 150;

    public EmailMessage {
        to = List.copyOf(to);
    }

    public static EmailMessage of(List<String> to, PlatformMessage message) {
        String label = message.status().emoji() + " " + message.status().label();
        String heading = message.title().isBlank() ? firstLine(message.text()) : message.title();
        return new EmailMessage(to, subject(heading.isBlank() ? label : heading), text(message, label),
                html(message, label));
    }

    /** One line (a line break in a header would start a new header), shortened to {@link #MAX_SUBJECT_CHARS}. */
    private static String subject(String heading) {
        String line = heading.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        return line.codePointCount(0, line.length()) <= MAX_SUBJECT_CHARS ? line
                : line.substring(0, line.offsetByCodePoints(0, MAX_SUBJECT_CHARS - 1)) + "…";
    }

    private static String text(PlatformMessage message, String label) {
        StringBuilder text = new StringBuilder();
        if (!message.title().isBlank()) {
            text.append(message.title()).append("\n\n");
        }
        text.append(label).append("\n\n");
        if (!message.text().isBlank()) {
            text.append(message.text()).append("\n\n");
        }
        for (PlatformMessage.Fact fact : message.facts()) {
            text.append(fact.name()).append(": ").append(fact.value()).append('\n');
        }
        if (link(message) != null) {
            text.append('\n').append(link(message)).append('\n');
        }
        return text.toString().strip() + "\n";
    }

    private static String html(PlatformMessage message, String label) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
        if (!message.title().isBlank()) {
            html.append("<h2>").append(escape(message.title())).append("</h2>\n");
        }
        html.append("<p><strong>").append(escape(label)).append("</strong></p>\n");
        if (!message.text().isBlank()) {
            html.append("<p>").append(escape(message.text()).replace("\n", "<br>\n")).append("</p>\n");
        }
        if (!message.facts().isEmpty()) {
            html.append("<table>\n");
            for (PlatformMessage.Fact fact : message.facts()) {
                html.append("<tr><th align=\"left\">").append(escape(fact.name())).append("</th><td>")
                        .append(escape(fact.value())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        String link = link(message);
        if (link != null) {
            html.append("<p><a href=\"").append(escape(link)).append("\">").append(escape(link)).append("</a></p>\n");
        }
        return html.append("</body></html>\n").toString();
    }

    /** A link only when it is http(s): a {@code javascript:} link must not become clickable. */
    private static String link(PlatformMessage message) {
        String link = message.link();
        if (link == null) {
            return null;
        }
        String lower = link.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") ? link.strip() : null;
    }

    private static String firstLine(String text) {
        String stripped = text.strip();
        int end = stripped.indexOf('\n');
        return end < 0 ? stripped : stripped.substring(0, end);
    }

    /** HTML-escapes text for element content and double-quoted attributes. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
