package io.kaizen.lineage.rest;

import java.util.List;

/**
 * CSV per RFC 4180 (CRLF line ends; a cell with a comma, quote, CR or LF in double quotes, quotes doubled) whose text
 * cells cannot run as spreadsheet formulas: a text starting with {@code =}, {@code +}, {@code -}, {@code @}, a tab or
 * a CR gets a leading apostrophe (OWASP's advice for CSV injection), so a spreadsheet shows it as text.
 */
final class LineageCsv {

    private LineageCsv() {
    }

    /** One record, its line end included. */
    static String line(List<Cell> cells) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            line.append(cells.get(i).encoded());
        }
        return line.append("\r\n").toString();
    }

    /** A value to write: {@code text} cells are neutralised, numbers and booleans are written as they are. */
    record Cell(String value, boolean text) {

        static Cell text(String value) {
            return new Cell(value, true);
        }

        String encoded() {
            if (value == null) {
                return "";
            }
            String safe = text && startsLikeFormula(value) ? "'" + value : value;
            boolean quote = safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\r') >= 0
                    || safe.indexOf('\n') >= 0;
            return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
        }

        private static boolean startsLikeFormula(String value) {
            if (value.isEmpty()) {
                return false;
            }
            char first = value.charAt(0);
            return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        }
    }
}
