package io.kaizen.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.kaizen.common.problem.ProblemException;
import io.kaizen.common.rest.Paging;

class PagingTest {

    @Test
    void defaultsAndBounds() {
        assertThat(Paging.parse(null, null, 20, 100)).isEqualTo(new Paging(1, 20));
        assertThat(Paging.parse("3", "100", 20, 100).offset()).isEqualTo(200);
        assertThat(Paging.parse("2", "10", 20, 100).hasMore(21)).isTrue();
        assertThat(Paging.parse("3", "10", 20, 100).hasMore(30)).isFalse();
    }

    @Test
    void malformedValuesAreValidationProblems() {
        for (String[] bad : new String[][] { { "abc", "1" }, { "0", "1" }, { "1", "0" }, { "1", "101" },
                { "99999999999", "1" }, { "1000001", "100" }, { "-1", "5" }, { "1.5", "5" } }) {
            assertThatThrownBy(() -> Paging.parse(bad[0], bad[1], 20, 100))
                    .isInstanceOf(ProblemException.class)
                    .satisfies(e -> assertThat(((ProblemException) e).status()).isEqualTo(400));
        }
    }
}
