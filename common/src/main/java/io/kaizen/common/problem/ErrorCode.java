package io.kaizen.common.problem;

/** The {@code error_code} values of problem responses (DESIGN §8). */
public enum ErrorCode {
    VALIDATION_ERROR,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    IDEMPOTENCY_KEY_REUSED,
    BUDGET_EXCEEDED,
    POLICY_DENIED,
    RATE_LIMIT_EXCEEDED,
    APPROVAL_EXPIRED,
    /** A held invocation whose approval request was rejected (its invocation record's error code). */
    APPROVAL_REJECTED,
    GOVERNANCE_UNAVAILABLE,
    UPSTREAM_ERROR,
    UPSTREAM_TIMEOUT,
    INTERNAL_ERROR;

    /** The code a bare HTTP status stands for, when nothing more specific is known. */
    public static ErrorCode forStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 402 -> BUDGET_EXCEEDED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            case 429 -> RATE_LIMIT_EXCEEDED;
            case 502 -> UPSTREAM_ERROR;
            case 503 -> GOVERNANCE_UNAVAILABLE;
            case 504 -> UPSTREAM_TIMEOUT;
            default -> status >= 500 ? INTERNAL_ERROR : VALIDATION_ERROR;
        };
    }
}
