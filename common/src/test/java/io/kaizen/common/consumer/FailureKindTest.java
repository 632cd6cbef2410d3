package io.kaizen.common.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.hibernate.HibernateException;
import org.hibernate.exception.DataException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.exc.InvalidFormatException;

import io.kaizen.common.events.PoisonEventException;
import io.vertx.sqlclient.DatabaseException;

class FailureKindTest {

    /** What the reactive PostgreSQL client throws, wrapped the way Hibernate Reactive hands it over. */
    private static Throwable fromDatabase(String sqlState, String message) {
        DatabaseException database = new DatabaseException(message, 0, sqlState) {
        };
        return new CompletionException(new HibernateException("error executing SQL statement", database));
    }

    @Test
    void valuesTheSchemaRefusesAreDeterministic() {
        assertThat(FailureKind.of(fromDatabase("22001", "value too long for type character varying(1024)")))
                .isEqualTo(FailureKind.DETERMINISTIC);
        assertThat(FailureKind.of(fromDatabase("23505", "duplicate key value"))).isEqualTo(FailureKind.DETERMINISTIC);
        assertThat(FailureKind.of(fromDatabase("23502", "null value in column"))).isEqualTo(FailureKind.DETERMINISTIC);
        assertThat(FailureKind.of(new DataException("insert", new SQLException("numeric overflow", "22003"))))
                .isEqualTo(FailureKind.DETERMINISTIC);
    }

    @Test
    void unreadableEventsAreDeterministic() {
        assertThat(FailureKind.of(new PoisonEventException("not a CloudEvent"))).isEqualTo(FailureKind.DETERMINISTIC);
        assertThat(FailureKind.of(new CompletionException(new InvalidFormatException(null, "not a number", "x",
                BigDecimal.class)))).isEqualTo(FailureKind.DETERMINISTIC);
    }

    @Test
    void outagesConflictsAndTheUnknownAreTransient() {
        assertThat(FailureKind.of(new CompletionException(new ConnectException("Connection refused"))))
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(fromDatabase("57P01", "terminating connection due to administrator command")))
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(fromDatabase("40001", "could not serialize access"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(fromDatabase("08006", "connection failure"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(new TimeoutException("attempt took longer than PT30S"))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(FailureKind.of(new IllegalStateException("something new"))).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void theReasonNamesTheDatabaseErrorAndItsState() {
        assertThat(FailureKind.reason(fromDatabase("22001", "value too long for type character varying(1024)")))
                .startsWith("SQLState 22001: ").contains("value too long for type character varying(1024)");
        assertThat(FailureKind.reason(new PoisonEventException("event evt_1 lacks its ids")))
                .isEqualTo("PoisonEventException: event evt_1 lacks its ids");
        assertThat(FailureKind.reason(new CompletionException(new ConnectException("Connection refused"))))
                .isEqualTo("ConnectException: Connection refused");
    }

    @Test
    void aReasonQuotingALongValueIsCutAndMarked() {
        String value = "x".repeat(50_000);

        String reason = FailureKind.reason(fromDatabase("23505", "Key (id)=(" + value + ") already exists"));

        assertThat(reason).startsWith("SQLState 23505: ").hasSize(FailureKind.MAX_REASON + 1).endsWith("x…");
    }
}
