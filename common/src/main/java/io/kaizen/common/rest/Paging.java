package io.kaizen.common.rest;

import io.kaizen.common.problem.ProblemException;

/**
 * The {@code page} and {@code limit} query parameters of every list (DESIGN §8), parsed from text so that a
 * malformed value is a 400 naming the parameter rather than the 404 JAX-RS gives an unparseable parameter.
 */
public record Paging(int page, int limit) {

    /** Pages beyond this would only ever be empty; bounding it keeps the row offset far from overflow. */
    public static final int MAX_PAGE = 1_000_000;

    public static Paging parse(String page, String limit, int defaultLimit, int maxLimit) {
        int p = wholeNumber("page", page, 1, 1, MAX_PAGE);
        int l = wholeNumber("limit", limit, defaultLimit, 1, maxLimit);
        return new Paging(p, l);
    }

    public int offset() {
        return (page - 1) * limit;
    }

    public boolean hasMore(long total) {
        return (long) page * limit < total;
    }

    /**
     * A whole-number query parameter from its text: the fallback when absent, a 400 naming it when it is not a whole
     * number from min to max (declare such a parameter as {@code String}: JAX-RS answers 404 to one it cannot convert).
     */
    public static int wholeNumber(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // fall through to the problem below
        }
        throw ProblemException.validation("Query parameter '" + name + "' must be a whole number from " + min
                + " to " + max);
    }
}
