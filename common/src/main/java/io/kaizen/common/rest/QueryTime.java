package io.kaizen.common.rest;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import io.kaizen.common.problem.ProblemException;

/**
 * A time-range query parameter of the lists (lineage, audit, invocations): an RFC 3339 date-time (an ISO-8601 instant
 * with {@code Z} or an offset, either case), or absent.
 */
public final class QueryTime {

    private QueryTime() {
    }

    /** @return null when the parameter is absent or blank; a 400 problem naming it when it is not an instant */
    public static Instant parse(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw ProblemException.validation("Query parameter '" + name
                    + "' must be an ISO-8601 UTC timestamp such as 2026-01-31T12:00:00Z");
        }
    }
}
