package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.kaizen.governance.journal.DecisionJournal;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;

/**
 * The decision journal with its background flush held back (as a crash between answers and the flush would leave
 * it): decisions touch only Redis, and what they journaled reaches the ledger exactly once, however often it is
 * written.
 */
@QuarkusTest
@TestProfile(DecisionJournalTest.HeldFlushes.class)
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class DecisionJournalTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";

    /** Holds the background flush for an hour: only explicit flushes write the ledger. */
    public static class HeldFlushes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.governance.journal.flush-delay", "1h");
        }
    }

    @Inject
    DecisionJournal journal;

    @Inject
    RedisAPI redis;

    private void flushAll() {
        journal.flush().await().atMost(Duration.ofSeconds(30));
    }

    private static long decisionEvents(String agent, String type) throws Exception {
        return Ledger.outboxTypes(agent).stream().filter(type::equals).count();
    }

    @Test
    void decisionsWriteNothingToPostgresqlUntilTheJournalIsFlushed() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 1.00, \"max_daily_cost\": -1,"
                + " \"cost_per_execution\": 0.10");
        for (int i = 0; i < 10; i++) {
            decide(agent, org, "").body("outcome", equalTo("ALLOW"));
        }
        decide(agent, org, "").body("outcome", equalTo("DENY_BUDGET"));

        assertThat(Ledger.reservationCount(agent)).isZero();
        assertThat(decisionEvents(agent, EventTypes.DECISION_EVALUATED)).isZero();
        assertThat(decisionEvents(agent, EventTypes.DECISION_DENIED)).isZero();
        // ten ledger rows (journaled by the decision's script), the user's use of the agent once, the denial's event
        assertThat(journalLength(agent)).isEqualTo(12);

        flushAll();

        assertThat(Ledger.reservationCount(agent)).isEqualTo(10);
        // one flush, one transaction for every decision it found (the rows share the transaction that wrote them)
        assertThat(Ledger.row("select count(distinct xmin::text) as transactions from budget_reservation"
                + " where agent_id = ?", agent)).containsEntry("transactions", 1L);
        assertThat(Ledger.row("select user_id from agent_user_seen where agent_id = ?", agent))
                .containsEntry("user_id", "u1");
        // an allowed decision leaves no event of its own: its call's invocation event carries it
        assertThat(decisionEvents(agent, EventTypes.DECISION_EVALUATED)).isZero();
        assertThat(decisionEvents(agent, EventTypes.DECISION_DENIED)).isEqualTo(1);
        assertThat(journalLength(agent)).isZero();
    }

    @Test
    void entriesWrittenAgainAfterACrashBeforeTheirDeletionChangeNothing() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": -1, \"max_daily_cost\": -1");
        GovernanceApi.as(org, "org_admin").body("{\"approval_triggers\": {\"sensitive_data\": [\"ssn\"]}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200);
        String settled = decide(agent, org, "").body("outcome", equalTo("ALLOW")).extract().path("reservation_id");
        decide(agent, org, "").body("outcome", equalTo("ALLOW"));
        // a matched approval trigger gives its hold back: its entry releases the reservation it journaled
        decide(agent, org, "\"input\": \"my SSN is 123-45-6789\"").body("outcome", equalTo("REQUIRE_APPROVAL"));
        List<String> entries = journalEntries(agent);
        flushAll();
        long rows = Ledger.reservationCount(agent);
        assertThat(rows).isEqualTo(3);
        assertThat(released(agent)).isEqualTo(1);
        long evaluated = decisionEvents(agent, EventTypes.DECISION_EVALUATED);
        GovernanceApi.internal().body("{\"cost_usd\": 0.05}").when()
                .post("/internal/v1/reservations/" + settled + "/settle").then().statusCode(200);

        // the same entries again, as if the flush had committed and the replica died before deleting them
        for (String entry : entries) {
            redis.xaddAndAwait(List.of(DecisionJournal.key(agent), "*", "e", entry));
        }
        journal.flush(agent).await().atMost(Duration.ofSeconds(30));

        assertThat(journalLength(agent)).isZero();
        assertThat(Ledger.reservationCount(agent)).isEqualTo(rows);
        assertThat(decisionEvents(agent, EventTypes.DECISION_EVALUATED)).isEqualTo(evaluated);
        assertThat(Ledger.reservation(settled)).containsEntry("status", "settled");
        assertThat(released(agent)).isEqualTo(1);
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.05");
    }

    @Test
    void aReservationStillOnlyInTheJournalIsSettledExactlyOnce() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String reservation = decide(agent, org, "").body("outcome", equalTo("ALLOW")).extract().path("reservation_id");
        assertThat(Ledger.reservation(reservation)).isNull();

        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String first = PrefixedId.next(PrefixedId.EVENT);
        String second = PrefixedId.next(PrefixedId.EVENT);
        Ledger.publishInvocation(first, EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.07"));
        Ledger.publishInvocation(second, EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.07"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.processed("governance.settlement", first)
                && Ledger.processed("governance.settlement", second));

        assertThat(Ledger.reservation(reservation)).containsEntry("status", "settled");
        assertThat((BigDecimal) Ledger.reservation(reservation).get("actual_usd")).isEqualByComparingTo("0.07");
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo("0.07");
        assertThat(Ledger.monthTotals(agent)).containsEntry("executions", 1L);
        assertThat(Ledger.monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(70_000, 0, 1, 0));
    }

    @Test
    void aTallyRebuiltFromTheLedgerCountsTheHoldsStillInTheJournal() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE + ", \"max_monthly_cost\": 0.30, \"max_daily_cost\": -1,"
                + " \"cost_per_execution\": 0.10");
        for (int i = 0; i < 3; i++) {
            decide(agent, org, "").body("outcome", equalTo("ALLOW"));
        }
        // Redis loses the tallies but keeps the journal: the rebuild must not forget the three answered holds
        String tag = BudgetTallies.agentTag(agent);
        Instant now = Instant.now();
        redis.delAndAwait(List.of(tag + ":bud:" + BudgetPeriod.month(now).key(), tag + ":bud:" + BudgetPeriod.day(now).key()));

        decide(agent, org, "").body("outcome", equalTo("DENY_BUDGET")).body("budget.reserved", equalTo(0.3f));
        assertThat(Ledger.reservationCount(agent)).isEqualTo(3);
    }

    private static long released(String agent) {
        return (Long) Ledger.row("select count(*) as n from budget_reservation where agent_id = ? and status = 'released'",
                agent).get("n");
    }

    private long journalLength(String agent) {
        return redis.xlenAndAwait(DecisionJournal.key(agent)).toLong();
    }

    private List<String> journalEntries(String agent) {
        List<String> entries = new ArrayList<>();
        for (Response item : redis.xrangeAndAwait(List.of(DecisionJournal.key(agent), "-", "+"))) {
            entries.add(item.get(1).get(1).toString());
        }
        return entries;
    }
}
