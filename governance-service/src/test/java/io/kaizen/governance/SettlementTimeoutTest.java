package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A settlement whose attempts outlast the attempt timeout is applied once they can finish, not dead-lettered: an attempt
 * cut off by its timeout leaves a transaction waiting for the agent's budget lock, and neither that transaction nor
 * the lock it gets later may hold up the attempts after it (the batch's record-by-record path, their retries). The
 * lock is held from outside until attempts have timed out, then released.
 */
@QuarkusTest
@TestProfile(SettlementTimeoutTest.ShortAttempts.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class SettlementTimeoutTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";

    public static class ShortAttempts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // no sweep: the settlement's attempts are the only sessions that wait for the agent's lock
            return Map.of("kaizen.consumer.retry.attempt-timeout", "2s", "kaizen.governance.budget.sweep-interval", "1h");
        }
    }

    @Test
    void aSettlementWhoseAttemptsTimedOutIsAppliedOnceTheyCanFinish() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String reservation = decide(agent, org, "\"estimated_cost\": 0.05").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        Ledger.flushJournal(agent);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);

        try (Connection db = Ledger.connect()) {
            lock(db, "select pg_advisory_lock(hashtext(?))", agent);
            Ledger.publishInvocation(eventId, EventTypes.INVOCATION_COMPLETED, org, invocation,
                    Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.03"));
            // the batch's attempt times out waiting for the lock and the record's own attempt waits after it; then the
            // retries time out too, each leaving a waiting transaction behind (fewer on a busy machine: still correct)
            await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.waitingForLocks() >= 2);
            Thread.sleep(6_000);
            lock(db, "select pg_advisory_unlock(hashtext(?))", agent);
        }

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_used", equalTo(0.03f))
                .body("cost_reserved", equalTo(0.0f)));
        // no attempt's transaction is left open on a connection of the pool
        await().atMost(Duration.ofSeconds(30)).until(() -> Ledger.sessions("state like 'idle in transaction%'") == 0);
        assertThat(new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap()).list("kaizen.invocations.v1")
                .stream().map(DeadLetterQueue.DeadLetter::eventId)).doesNotContain(eventId);
    }

    /** The scope lock settlement takes (BudgetLedger's {@code budget:<agent>} key), held on this connection. */
    private static void lock(Connection db, String sql, String agent) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, "budget:" + agent);
            statement.execute();
        }
    }
}
