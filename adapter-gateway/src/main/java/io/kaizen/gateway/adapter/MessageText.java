package io.kaizen.gateway.adapter;

import java.text.BreakIterator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Fits plain text into a platform's character limits after the platform's escaping: cut or split only between
 * user-perceived characters (never inside a surrogate pair, and not between a letter and its combining marks), with
 * an ellipsis where something was left out. Lengths are counted in UTF-16 units, which is never less than the code
 * points or characters the platforms count, so a fitted text is within every platform's reading of its limit.
 */
final class MessageText {

    static final String ELLIPSIS = "…";

    private MessageText() {
    }

    /** The text with every unpaired surrogate (possible in JSON input) replaced by U+FFFD, so it encodes as UTF-8. */
    static String wellFormed(String text) {
        if (text == null) {
            return "";
        }
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

    /** The escaped text in at most {@code maxChars}; a longer one is cut and ends with an ellipsis. */
    static String fit(String text, int maxChars, UnaryOperator<String> escape) {
        String clean = wellFormed(text);
        // escaping never shortens a text: one already too long need not be escaped whole
        if (clean.length() <= maxChars) {
            String whole = escape.apply(clean);
            if (whole.length() <= maxChars) {
                return whole;
            }
        }
        StringBuilder out = new StringBuilder(maxChars);
        for (String unit : units(clean, maxChars - ELLIPSIS.length(), escape)) {
            if (out.length() + unit.length() > maxChars - ELLIPSIS.length()) {
                break;
            }
            out.append(unit);
        }
        return out.append(ELLIPSIS).toString();
    }

    /** As {@link #fit(String, int, UnaryOperator)} with no escaping. */
    static String fit(String text, int maxChars) {
        return fit(text, maxChars, UnaryOperator.identity());
    }

    /**
     * The escaped text in at most {@code maxPieces} pieces of at most {@code maxChars} each, broken after a line
     * break, or else a space, where one falls in the second half of a piece; when the text needs more pieces the last
     * one ends with an ellipsis. Pieces that would be blank are left out (platforms reject blank texts).
     */
    static List<String> split(String text, int maxChars, int maxPieces, UnaryOperator<String> escape) {
        List<String> pieces = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        List<Integer> ends = new ArrayList<>();
        int lastLineBreak = -1;
        int lastSpace = -1;
        for (String unit : units(text, maxChars - ELLIPSIS.length(), escape)) {
            if (current.length() + unit.length() > maxChars) {
                if (pieces.size() == maxPieces - 1) {
                    while (!ends.isEmpty() && current.length() + ELLIPSIS.length() > maxChars) {
                        ends.remove(ends.size() - 1);
                        current.setLength(ends.isEmpty() ? 0 : ends.get(ends.size() - 1));
                    }
                    addUnlessBlank(pieces, current.append(ELLIPSIS).toString());
                    return pieces;
                }
                int lastBreak = lastLineBreak > maxChars / 2 ? lastLineBreak : lastSpace;
                boolean restFits = current.length() - lastBreak + unit.length() <= maxChars;
                int cut = lastBreak > maxChars / 2 && restFits ? lastBreak : current.length();
                addUnlessBlank(pieces, current.substring(0, cut));
                List<Integer> restEnds = ends.stream().filter(end -> end > cut).map(end -> end - cut).toList();
                current.delete(0, cut);
                ends.clear();
                ends.addAll(restEnds);
                lastLineBreak = -1;
                lastSpace = -1;
            }
            current.append(unit);
            ends.add(current.length());
            if (unit.contains("\n")) {
                lastLineBreak = current.length();
            } else if (unit.isBlank()) {
                lastSpace = current.length();
            }
        }
        addUnlessBlank(pieces, current.toString());
        return pieces;
    }

    private static void addUnlessBlank(List<String> pieces, String piece) {
        if (!piece.isBlank()) {
            pieces.add(piece);
        }
    }

    /**
     * The text as escaped user-perceived characters, read lazily so a cut-off text costs no more than what is kept;
     * one whose escaped form is longer than {@code maxUnit} (a letter with hundreds of combining marks) is given code
     * point by code point.
     */
    private static Iterable<String> units(String text, int maxUnit, UnaryOperator<String> escape) {
        String clean = wellFormed(text);
        return () -> new Iterator<>() {
            private final BreakIterator characters = characters(clean);
            private final Deque<String> pending = new ArrayDeque<>();
            private int start = characters.first();

            @Override
            public boolean hasNext() {
                while (pending.isEmpty()) {
                    int end = characters.next();
                    if (end == BreakIterator.DONE) {
                        return false;
                    }
                    String character = clean.substring(start, end);
                    start = end;
                    String unit = escape.apply(character);
                    if (unit.length() <= maxUnit) {
                        pending.add(unit);
                    } else {
                        character.codePoints().mapToObj(Character::toString).map(escape)
                                .filter(point -> point.length() <= maxUnit).forEach(pending::add);
                    }
                }
                return true;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.poll();
            }
        };
    }

    private static BreakIterator characters(String text) {
        BreakIterator characters = BreakIterator.getCharacterInstance(Locale.ROOT);
        characters.setText(text);
        return characters;
    }

    /** The longest prefix of at most {@code maxUnits} UTF-16 units that does not end inside a surrogate pair. */
    static String prefix(String text, int maxUnits) {
        return text.substring(0, cut(text, 0, maxUnits));
    }

    /**
     * The text in consecutive pieces of at most {@code maxUnits} each — nothing left out, nothing moved, so the pieces
     * put together are the text — at most {@code maxPieces} of them; when the text needs more, the last piece is cut
     * with the ellipsis. An empty text is no pieces.
     */
    static List<String> pieces(String text, int maxUnits, int maxPieces) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length() && pieces.size() < maxPieces) {
            if (pieces.size() == maxPieces - 1) {
                pieces.add(fit(text.substring(start), maxUnits));
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
