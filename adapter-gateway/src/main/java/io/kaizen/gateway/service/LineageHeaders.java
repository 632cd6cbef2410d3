package io.kaizen.gateway.service;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.kaizen.common.problem.ProblemException;

/** The caller's X-External-* headers: layers 1 and 2 of the lineage. */
public record LineageHeaders(String userId, String userEmail, String userName, String system, String sessionId,
        String traceId, String context) {

    public static final String USER_ID = "X-External-User-ID";
    public static final String USER_EMAIL = "X-External-User-Email";
    public static final String USER_NAME = "X-External-User-Name";
    public static final String SYSTEM = "X-External-System";
    public static final String SESSION_ID = "X-External-Session-ID";
    public static final String TRACE_ID = "X-External-Trace-ID";
    public static final String CONTEXT = "X-External-Context";

    private static final int MAX_LENGTH = 255;
    private static final int MAX_CONTEXT_LENGTH = 4096;

    /** Reads and validates the headers; with {@code strict}, the four required ones must be present. */
    public static LineageHeaders from(Function<String, String> header, boolean strict) {
        List<String> missing = new ArrayList<>();
        String userId = read(header, USER_ID, MAX_LENGTH, strict, missing);
        String email = read(header, USER_EMAIL, MAX_LENGTH, strict, missing);
        String system = read(header, SYSTEM, MAX_LENGTH, strict, missing);
        String session = read(header, SESSION_ID, MAX_LENGTH, strict, missing);
        if (!missing.isEmpty()) {
            throw ProblemException.validation("Missing required lineage header(s): " + String.join(", ", missing))
                    .with("missing_headers", missing);
        }
        if (email != null && !email.matches("[^@\\s]+@[^@\\s]+")) {
            throw ProblemException.validation("Header " + USER_EMAIL + " is not an e-mail address");
        }
        return new LineageHeaders(userId, email, read(header, USER_NAME, MAX_LENGTH, false, missing), system, session,
                read(header, TRACE_ID, MAX_LENGTH, false, missing), read(header, CONTEXT, MAX_CONTEXT_LENGTH, false, missing));
    }

    private static String read(Function<String, String> header, String name, int maxLength, boolean required,
            List<String> missing) {
        String value = header.apply(name);
        if (value == null || value.isBlank()) {
            if (required) {
                missing.add(name);
            }
            return null;
        }
        if (value.length() > maxLength) {
            throw ProblemException.validation("Header " + name + " is longer than " + maxLength + " characters");
        }
        return value.strip();
    }
}
