package io.kaizen.devstack.platform;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Telegram's MarkdownV2, parsed the way the Bot API parses it (tdlib's {@code parse_markdown_v2}): bold {@code *},
 * italic {@code _}, underline {@code __}, strikethrough {@code ~}, spoiler {@code ||}, inline code {@code `}, pre
 * blocks {@code ```}, inline links {@code [text](url)} and block quotes ({@code >} at the start of a line).
 *
 * <ul>
 * <li>{@code \} before any character of code 1 to 126 makes it an ordinary character, anywhere.</li>
 * <li>Inside code and pre only {@code `} is markup, so {@code `} and {@code \} must be escaped there.</li>
 * <li>Inside the {@code (…)} of a link only {@code )} ends it, so {@code )} and {@code \} must be escaped there.</li>
 * <li>Everywhere else {@code _*[]()~`>#+-=|{}.!} must be escaped. Stricter than tdlib, a {@code \} that escapes
 * nothing (at the end, or before a character above 126) is refused too: it is always a forgotten escape.</li>
 * </ul>
 */
public final class MarkdownV2 {

    private static final String RESERVED = "_*[]()~`>#+-=|{}.!";

    private MarkdownV2() {
    }

    /** The text as Telegram shows it (markup removed) and its entities; offsets and lengths in UTF-16 units. */
    public record Parsed(String text, List<Entity> entities) {
    }

    public record Entity(String type, int offset, int length, String url) {
    }

    /** Markup Telegram refuses; the message is the part after {@code "can't parse entities: "}. */
    public static final class MarkupException extends IllegalArgumentException {

        MarkupException(String message) {
            super(message);
        }
    }

    private enum Type {
        BOLD("Bold"), ITALIC("Italic"), UNDERLINE("Underline"), STRIKETHROUGH("Strikethrough"), SPOILER("Spoiler"),
        CODE("Code"), PRE("Pre"), TEXT_URL("TextUrl");

        final String display;

        Type(String display) {
            this.display = display;
        }
    }

    private record Open(Type type, int markupIndex, int plainStart) {
    }

    /** @throws MarkupException as Telegram would refuse the text, naming the character or entity and its byte offset */
    public static Parsed parse(String text) {
        StringBuilder plain = new StringBuilder(text.length());
        Deque<Open> open = new ArrayDeque<>();
        List<Entity> entities = new ArrayList<>();
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 < n && text.charAt(i + 1) >= 1 && text.charAt(i + 1) <= 126) {
                    plain.append(text.charAt(i + 1));
                    i += 2;
                    continue;
                }
                throw reserved(c);
            }
            Open top = open.peek();
            boolean inCode = top != null && (top.type() == Type.CODE || top.type() == Type.PRE);
            if (inCode ? c != '`' : RESERVED.indexOf(c) < 0) {
                plain.append(c);
                i++;
                continue;
            }
            if (c == '>' && open.isEmpty() && (i == 0 || text.charAt(i - 1) == '\n')) {
                // a block quote line: the marker is markup, the line is ordinary text (quotes are not entities here)
                i++;
                continue;
            }
            if (top != null && closes(top.type(), text, i)) {
                i = close(top, text, i, plain, entities);
                open.pop();
                continue;
            }
            int start = i;
            Type type;
            switch (c) {
                case '_' -> {
                    type = at(text, i + 1) == '_' ? Type.UNDERLINE : Type.ITALIC;
                    i += type == Type.UNDERLINE ? 2 : 1;
                }
                case '*' -> {
                    type = Type.BOLD;
                    i++;
                }
                case '~' -> {
                    type = Type.STRIKETHROUGH;
                    i++;
                }
                case '|' -> {
                    if (at(text, i + 1) != '|') {
                        throw reserved(c);
                    }
                    type = Type.SPOILER;
                    i += 2;
                }
                case '[' -> {
                    type = Type.TEXT_URL;
                    i++;
                }
                case '`' -> {
                    if (at(text, i + 1) == '`' && at(text, i + 2) == '`') {
                        type = Type.PRE;
                        i = preContentStart(text, i + 3);
                    } else {
                        type = Type.CODE;
                        i++;
                    }
                }
                default -> throw reserved(c);
            }
            open.push(new Open(type, start, plain.length()));
        }
        if (!open.isEmpty()) {
            Open unclosed = open.peek();
            throw new MarkupException("Can't find end of " + unclosed.type().display + " entity at byte offset "
                    + byteOffset(text, unclosed.markupIndex()));
        }
        return new Parsed(plain.toString(), List.copyOf(entities));
    }

    private static boolean closes(Type type, String text, int i) {
        char c = text.charAt(i);
        return switch (type) {
            case BOLD -> c == '*';
            case ITALIC -> c == '_' && at(text, i + 1) != '_';
            case UNDERLINE -> c == '_' && at(text, i + 1) == '_';
            case STRIKETHROUGH -> c == '~';
            case SPOILER -> c == '|' && at(text, i + 1) == '|';
            case CODE -> c == '`';
            case PRE -> c == '`' && at(text, i + 1) == '`' && at(text, i + 2) == '`';
            case TEXT_URL -> c == ']';
        };
    }

    /** Closes the entity on top at {@code i}; returns the index after its closing markup (and a link's URL). */
    private static int close(Open top, String text, int i, StringBuilder plain, List<Entity> entities) {
        String url = null;
        int next;
        switch (top.type()) {
            case UNDERLINE, SPOILER -> next = i + 2;
            case PRE -> next = i + 3;
            case TEXT_URL -> {
                next = i + 1;
                if (at(text, next) == '(') {
                    int urlStart = next + 1;
                    StringBuilder target = new StringBuilder();
                    int j = urlStart;
                    while (j < text.length() && text.charAt(j) != ')') {
                        if (text.charAt(j) == '\\' && j + 1 < text.length() && text.charAt(j + 1) >= 1
                                && text.charAt(j + 1) <= 126) {
                            target.append(text.charAt(j + 1));
                            j += 2;
                            continue;
                        }
                        target.append(text.charAt(j++));
                    }
                    if (j >= text.length()) {
                        throw new MarkupException("Can't find end of a URL at byte offset " + byteOffset(text, urlStart));
                    }
                    url = target.toString();
                    next = j + 1;
                } else {
                    url = plain.substring(top.plainStart());
                }
            }
            default -> next = i + 1;
        }
        int length = plain.length() - top.plainStart();
        if (length > 0) {
            entities.add(new Entity(top.type().display, top.plainStart(), length, url));
        }
        return next;
    }

    /** After {@code ```}: an optional language up to the first space or newline, then one newline is skipped. */
    private static int preContentStart(String text, int i) {
        int languageEnd = i;
        while (languageEnd < text.length() && !Character.isWhitespace(text.charAt(languageEnd))
                && text.charAt(languageEnd) != '`') {
            languageEnd++;
        }
        if (languageEnd != i && languageEnd < text.length() && text.charAt(languageEnd) != '`') {
            i = languageEnd;
        }
        if (at(text, i) == '\n' || at(text, i) == '\r') {
            boolean pair = (at(text, i + 1) == '\n' || at(text, i + 1) == '\r') && at(text, i) != at(text, i + 1);
            i += pair ? 2 : 1;
        }
        return i;
    }

    private static char at(String text, int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }

    private static MarkupException reserved(char c) {
        return new MarkupException("Character '" + c + "' is reserved and must be escaped with the preceding '\\'");
    }

    private static int byteOffset(String text, int index) {
        return text.substring(0, index).getBytes(StandardCharsets.UTF_8).length;
    }
}
