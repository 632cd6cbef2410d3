package io.kaizen.common.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class PrefixedIdTest {

    @Test
    void idsArePrefixedUniqueAndTimeOrdered() throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(PrefixedId.next(PrefixedId.AGENT));
            Thread.sleep(2);
        }
        assertThat(ids).allMatch(id -> PrefixedId.isValid(PrefixedId.AGENT, id));
        assertThat(new HashSet<>(ids)).hasSize(5);
        assertThat(ids).isSorted();
    }

    @Test
    void rejectsMalformedIds() {
        assertThat(PrefixedId.isValid("agt", "agt_123")).isFalse();
        assertThat(PrefixedId.isValid("agt", "inv_01JF8ZK3M4Q9V2X7C5N6B8D0EF")).isFalse();
        assertThat(PrefixedId.isValid("agt", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0E'")).isFalse();
        assertThat(PrefixedId.isValid("agt", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF")).isTrue();
    }

    @Test
    void theDocumentedPatternsAcceptWhatIsValidAndNothingElse() {
        for (String candidate : List.of("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EI",
                "agt_01jf8zk3m4q9v2x7c5n6b8d0ef", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0E", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EFF",
                "inv_01JF8ZK3M4Q9V2X7C5N6B8D0EF", PrefixedId.next(PrefixedId.AGENT))) {
            assertThat(candidate.matches(PrefixedId.AGENT_PATTERN)).as(candidate)
                    .isEqualTo(PrefixedId.isValid(PrefixedId.AGENT, candidate));
        }
        assertThat(PrefixedId.next(PrefixedId.INVOCATION)).matches(PrefixedId.INVOCATION_PATTERN);
        assertThat(PrefixedId.next(PrefixedId.APPROVAL)).matches(PrefixedId.APPROVAL_PATTERN);
    }
}
