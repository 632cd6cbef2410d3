package io.kaizen.common.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import io.kaizen.common.consumer.FailureKind;

/** Database errors a request causes are the request's 4xx; the rest stay ours (500). */
class StoreRefusalTest {

    @Test
    void aValueTheStoreCannotHoldIs400AndATakenUniqueValue409() {
        assertThat(refusal("22001").status()).isEqualTo(400);
        assertThat(refusal("22P05").code()).isEqualTo(ErrorCode.VALIDATION_ERROR);
        assertThat(refusal("23505").status()).isEqualTo(409);
        assertThat(refusal("23505").code()).isEqualTo(ErrorCode.CONFLICT);
        assertThat(refusal("23503")).as("a foreign key violation is a defect of ours").isNull();
        assertThat(refusal("40001")).isNull();
        assertThat(ProblemMapper.StoreRefusal.of(null)).isNull();
    }

    /** The refusal of a failure whose cause is a database error of this state, as Hibernate wraps it. */
    private static ProblemMapper.StoreRefusal refusal(String state) {
        Throwable failure = new IllegalStateException("flush failed", new SQLException("refused", state));
        return ProblemMapper.StoreRefusal.of(FailureKind.sqlStateOf(failure));
    }
}
