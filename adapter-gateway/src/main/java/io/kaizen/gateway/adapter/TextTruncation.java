package io.kaizen.gateway.adapter;

import java.util.ArrayList;
import java.util.List;

/**
 * Fitting texts into platform limits counted in UTF-16 code units (what Java, JSON and the platforms' JavaScript
 * count; never fewer than the characters a platform sees), without ever separating the two halves of a surrogate
 * pair. A shortened text ends with {@link #ELLIPSIS} so a reader sees it was cut.
 */
final class TextTruncation {

    static final String ELLIPSIS = "…";

    private TextTruncation() {
    }

    /** The text with each unpaired surrogate (which no JSON encoder or platform accepts) replaced by U+FFFD. */
    static String wellFormed(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The longest prefix of at most {@code maxUnits} UTF-16 units that does not end inside a surrogate pair. */
    static String prefix(String text, int maxUnits) {
        return text.substring(0, cut(text, 0, maxUnits));
    }

    /** The text itself when it fits in {@code maxUnits}, else its longest prefix that fits with the ellipsis. */
    static String shorten(String text, int maxUnits) {
        if (text.length() <= maxUnits) {
            return text;
        }
        return prefix(text, maxUnits - ELLIPSIS.length()) + ELLIPSIS;
    }

    /**
     * The text in consecutive pieces of at most {@code maxUnits} each, at most {@code maxPieces} of them; when the
     * text needs more, the last piece is shortened with the ellipsis. An empty text is no pieces.
     */
    static List<String> pieces(String text, int maxUnits, int maxPieces) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length() && pieces.size() < maxPieces) {
            if (pieces.size() == maxPieces - 1) {
                pieces.add(shorten(text.substring(start), maxUnits));
                break;
            }
            int end = cut(text, start, maxUnits);
            if (end == start) {
                break;
            }
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }

    /** The end of the longest piece from {@code start} of at most {@code maxUnits} that keeps surrogate pairs whole. */
    private static int cut(String text, int start, int maxUnits) {
        int end = Math.min(text.length(), start + Math.max(0, maxUnits));
        if (end > start && end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))
                && Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        return end;
    }
}
