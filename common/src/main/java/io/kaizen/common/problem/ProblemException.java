package io.kaizen.common.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error the caller should see as {@code application/problem+json}. The detail must never contain a secret: it
 * is returned to the caller and logged.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final ErrorCode errorCode;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(int status, ErrorCode errorCode, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.errorCode = errorCode;
    }

    public static ProblemException validation(String detail) {
        return new ProblemException(400, ErrorCode.VALIDATION_ERROR, detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, ErrorCode.UNAUTHORIZED, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, ErrorCode.FORBIDDEN, detail);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, ErrorCode.NOT_FOUND, detail);
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, ErrorCode.CONFLICT, detail);
    }

    /** Adds a domain field to the body (for example {@code retry_after_seconds}). */
    public ProblemException with(String field, Object value) {
        fields.put(field, value);
        return this;
    }

    public ProblemException header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public Map<String, Object> fields() {
        return fields;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
