package io.kaizen.common.consumer;

import java.sql.SQLException;

import org.hibernate.JDBCException;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.kaizen.common.events.PoisonEventException;
import io.vertx.sqlclient.DatabaseException;

/**
 * Whether a consumer's failure can pass by itself. Deterministic failures fail the same way on every attempt, so
 * retrying them only holds the partition; transient ones may pass once a dependency is back.
 */
public enum FailureKind {

    /** Unreadable data, a mapping error, or a value the schema refuses (SQLState classes 22 and 23). */
    DETERMINISTIC,
    /** Anything else: a database or broker away, a timeout, a lock conflict, a failure not recognised. */
    TRANSIENT;

    /** The longest reason: a database message may quote the rejected value, which the event brought. */
    static final int MAX_REASON = 1000;

    public static FailureKind of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PoisonEventException || t instanceof JsonProcessingException) {
                return DETERMINISTIC;
            }
        }
        String state = sqlStateOf(failure);
        return state != null && (state.startsWith("22") || state.startsWith("23")) ? DETERMINISTIC : TRANSIENT;
    }

    /** The SQLState of the first database error in the failure's chain of causes, or null when there is none. */
    public static String sqlStateOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = sqlState(t);
            if (state != null) {
                return state;
            }
        }
        return null;
    }

    /**
     * A short reason for logs and the dead-letter header, at most {@link #MAX_REASON} characters and a mark: the
     * database error with its SQLState when there is one (the wrappers around it say little), else the innermost
     * message.
     */
    public static String reason(Throwable failure) {
        String reason = fullReason(failure);
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…";
    }

    private static String fullReason(Throwable failure) {
        Throwable innermost = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = sqlState(t);
            if (state != null) {
                return "SQLState " + state + ": " + message(t);
            }
            if (t instanceof PoisonEventException) {
                return message(t);
            }
            innermost = t;
        }
        return message(innermost);
    }

    private static String sqlState(Throwable t) {
        if (t instanceof DatabaseException database) {
            return database.getSqlState();
        }
        if (t instanceof JDBCException jdbc) {
            return jdbc.getSQLState();
        }
        if (t instanceof SQLException sql) {
            return sql.getSQLState();
        }
        return null;
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
