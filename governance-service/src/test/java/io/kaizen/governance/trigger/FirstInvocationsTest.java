package io.kaizen.governance.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The uses a replica remembers having journaled: by agent and user, and never more than a bounded number. */
class FirstInvocationsTest {

    private final FirstInvocations uses = new FirstInvocations(null, null);

    @Test
    void aUseIsRememberedByAgentAndUser() {
        uses.journaledNow("agt_a", "alice");

        assertThat(uses.journaled("agt_a", "alice")).isTrue();
        assertThat(uses.journaled("agt_a", "bob")).isFalse();
        assertThat(uses.journaled("agt_b", "alice")).isFalse();
    }

    /** When full, the set starts again: the forgotten uses are journaled once more, which changes nothing. */
    @Test
    void atMostTheBoundIsRememberedThenItStartsAgain() {
        for (int i = 0; i < FirstInvocations.REMEMBERED; i++) {
            uses.journaledNow("agt_a", "user-" + i);
        }
        assertThat(uses.journaled("agt_a", "user-0")).isTrue();

        uses.journaledNow("agt_a", "one more");

        assertThat(uses.journaled("agt_a", "one more")).isTrue();
        assertThat(uses.journaled("agt_a", "user-0")).isFalse();
        assertThat(uses.journaled("agt_a", "user-" + (FirstInvocations.REMEMBERED - 1))).isFalse();
    }
}
