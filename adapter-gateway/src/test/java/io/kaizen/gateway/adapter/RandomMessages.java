package io.kaizen.gateway.adapter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Generated messages for the adapters' acceptance tests, reproducible from a seed: texts built from pieces that
 * stress a platform — markup characters of every platform (Slack, Discord, Teams, Telegram MarkdownV2), emoji
 * (surrogate pairs, ZWJ sequences, flags), combining marks, CJK, controls, unpaired surrogates, blanks — and long
 * runs of them, with many facts and odd links. A failing case names its seed, so it can be replayed alone.
 */
final class RandomMessages {

    /** How many generated messages each acceptance test renders. */
    static final int CASES = 200;

    private static final String MARKUP = "&<>*_~`|\\[](){}#-+=.!:@\"'\n\t ";
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String[] SPECIAL = {"😀", "👩‍👩‍👧", "🇯🇵", "e\u0301", "a\u0300\u0301\u0302\u0303", "中文字符",
        "\uD800", "\uDC00", "\u0000", "\u200B", "<!channel>", "@everyone", "&amp;", "\r\n", "x\u0301".repeat(200),
        "   ", "\\", "\\\\*", "```", "||", "__", "[a](b)"};
    private static final String[] RUNS = {"a", "😀", "&", "*", " ", "\n", "é", "ab ", "\\", "_", "."};
    /** Fact names that are also columns of the Notion database, with values of their types or not. */
    private static final String[] COLUMNS = {"Agent ID", "Invocation ID", "Execution Time (ms)", "Invoked At",
        "Completed At", "Error Message"};
    private static final String[] COLUMN_VALUES = {"123", "12.5", "2026-12-03T17:24:21Z", ""};
    private static final String[] LINKS = {"https://studio.example.com/i/1", "javascript:alert(1)", "not a url",
        "https://x.test/" + "p".repeat(3100), null, null};

    private RandomMessages() {
    }

    /** The seeds of one acceptance test: 0 … {@link #CASES} − 1. */
    static Stream<Long> seeds() {
        return IntStream.range(0, CASES).mapToObj(Long::valueOf);
    }

    /** The message of a seed. */
    static PlatformMessage message(long seed) {
        Random random = new Random(seed);
        List<PlatformMessage.Fact> facts = new ArrayList<>();
        for (int i = random.nextInt(71); i > 0; i--) {
            String name = random.nextInt(4) == 0 ? COLUMNS[random.nextInt(COLUMNS.length)] : text(random, 300);
            String value = switch (random.nextInt(20)) {
                case 0 -> null;
                case 1, 2, 3 -> COLUMN_VALUES[random.nextInt(COLUMN_VALUES.length)];
                default -> text(random, 3000);
            };
            facts.add(new PlatformMessage.Fact(name, value));
        }
        PlatformMessage.Status[] statuses = PlatformMessage.Status.values();
        return new PlatformMessage(random.nextInt(10) == 0 ? null : text(random, 600), text(random, 200_000),
                statuses[random.nextInt(statuses.length)], facts, LINKS[random.nextInt(LINKS.length)],
                Instant.ofEpochSecond(random.nextLong(0, 4_000_000_000L)));
    }

    /** A text of at most {@code maxChars} characters made of up to 60 stressing pieces. */
    static String text(Random random, int maxChars) {
        StringBuilder text = new StringBuilder();
        for (int pieces = random.nextInt(61); pieces > 0 && text.length() < maxChars; pieces--) {
            int kind = random.nextInt(11);
            if (kind < 4) {
                text.append(chars(random, ALPHANUMERIC, 1 + random.nextInt(12))).append(' ');
            } else if (kind < 7) {
                text.append(chars(random, MARKUP, random.nextInt(21)));
            } else if (kind < 10) {
                text.append(SPECIAL[random.nextInt(SPECIAL.length)]);
            } else {
                text.append(RUNS[random.nextInt(RUNS.length)].repeat(1 + random.nextInt(12_000)));
            }
        }
        return text.length() <= maxChars ? text.toString() : text.substring(0, maxChars);
    }

    private static String chars(Random random, String alphabet, int count) {
        StringBuilder chars = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            chars.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return chars.toString();
    }
}
