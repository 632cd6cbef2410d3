package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.kaizen.governance.Ledger.dayTally;
import static io.kaizen.governance.Ledger.monthTally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.budget.BudgetPeriod;
import io.kaizen.governance.budget.BudgetSettlement;
import io.kaizen.governance.budget.BudgetSettlement.Ending;
import io.kaizen.governance.budget.BudgetTallies;
import io.kaizen.governance.budget.BudgetThresholds;
import io.kaizen.governance.budget.BudgetTallies.Tally;
import io.kaizen.governance.budget.Charge;
import io.kaizen.governance.domain.BudgetReservation;
import io.kaizen.governance.journal.DecisionJournal;
import io.kaizen.governance.journal.JournalEntry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.RedisAPI;
import jakarta.inject.Inject;

/**
 * Invocation events settle in batches: a poll's events end their reservations in one ledger transaction, each
 * scope's total updated once. Which transaction wrote a row is read from PostgreSQL itself ({@code xmin}); events
 * sent together reach the consumer in one poll ({@link #sendTogether}).
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class SettlementBatchTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";
    private static final String TOPIC = "kaizen.invocations.v1";
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Inject
    BudgetSettlement settlement;

    @Inject
    DecisionJournal journal;

    @Inject
    BudgetThresholds thresholds;

    @Inject
    RedisAPI redis;

    /** Holds records until flushed, so records sent together reach the broker in one request and one poll. */
    private KafkaProducer<String, String> together;

    @BeforeEach
    void producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "600000");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "4194304");
        together = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void close() {
        together.close();
    }

    /** Completed events of two agents, sent together: every reservation settles in one transaction. */
    @Test
    void aBatchOfCompletedEventsOfSeveralAgentsSettlesInOneTransactionWithTotalsEqualToTheSum() throws Exception {
        String org = newOrg();
        String first = newAgent();
        String second = newAgent();
        settings(first, org, UNLIMITED_RATE);
        settings(second, org, UNLIMITED_RATE);
        List<String> reservations = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String agent = i % 3 == 0 ? second : first;
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            String reservation = reserve(invocation, agent, org);
            reservations.add(reservation);
            events.add(PrefixedId.next(PrefixedId.EVENT));
            batch.add(record(events.get(i), EventTypes.INVOCATION_COMPLETED, org, invocation,
                    Ledger.invocationData(invocation, org, agent, "u1", reservation, "0.0" + (i % 9 + 1))));
        }
        Ledger.flushJournal(first);
        Ledger.flushJournal(second);

        sendTogether(batch);

        await().atMost(DEADLINE).untilAsserted(() -> reservations.forEach(id -> assertThat(Ledger.reservation(id))
                .containsEntry("status", "settled")));
        // first: i = 1, 2, 4, 5, 7, 8, 10, 11 → 0.02 + 0.03 + 0.05 + 0.06 + 0.08 + 0.09 + 0.02 + 0.03
        // second: i = 0, 3, 6, 9 → 0.01 + 0.04 + 0.07 + 0.01
        assertTotals(first, "0.38", 8);
        assertTotals(second, "0.13", 4);
        // one transaction recorded every event as processed, and each agent's month and day totals were last
        // written by that same transaction
        List<String> transactions = processedBy(events);
        assertThat(transactions).hasSize(1);
        assertThat(totalsTransactions(List.of(first, second))).isEqualTo(transactions);
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(monthTally(BudgetTallies.agentTag(first))).isEqualTo(new Tally(380_000, 0, 8, 0));
            assertThat(dayTally(BudgetTallies.agentTag(second))).isEqualTo(new Tally(130_000, 0, 4, 0));
        });
        await().atMost(DEADLINE).until(() -> unsynced(reservations) == 0);
    }

    /**
     * A settlement batch looks at the budget lines of every agent and period it settled, one after another, within its
     * one transaction. Here 5,000 of them whose turns complete at once (an agent without a budget whose governance is
     * cached: nothing to read). That sequence once nested one level per turn: a few hundred overflowed the event
     * loop's stack, the batch never completed, and its transaction stayed open, holding its locks, for good.
     */
    @Test
    void theThresholdsOfFiveThousandScopesAreLookedAtInTurn() {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"monthly_budget_usd\": -1, \"daily_budget_usd\": -1");
        // the decision caches the agent's governance
        reserve(PrefixedId.next(PrefixedId.INVOCATION), agent, org);
        List<BudgetReservation> settled = new ArrayList<>();
        LocalDate first = LocalDate.now(ZoneOffset.UTC);
        for (int i = 0; i < 5_000; i++) {
            LocalDate day = first.minusDays(i);
            BudgetReservation row = new BudgetReservation();
            row.id = PrefixedId.next("res");
            row.organizationId = org;
            row.agentId = agent;
            row.dayStart = day;
            row.weekStart = day.with(DayOfWeek.MONDAY);
            row.monthStart = day.withDayOfMonth(1);
            settled.add(row);
        }

        replica(() -> Panache.withTransaction(() -> thresholds.announce(settled, Instant.now()))
                .ifNoItem().after(Duration.ofSeconds(60)).fail());
    }

    /** The same events again, with other costs, and one new event behind them: only the new one changes anything. */
    @Test
    void aWholeBatchRedeliveredChangesNothing() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE);
        List<String> reservations = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<String> invocations = new ArrayList<>();
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            invocations.add(invocation);
            reservations.add(reserve(invocation, agent, org));
            events.add(PrefixedId.next(PrefixedId.EVENT));
            batch.add(record(events.get(i), EventTypes.INVOCATION_COMPLETED, org, invocation,
                    Ledger.invocationData(invocation, org, agent, "u1", reservations.get(i), "0.10")));
        }
        Ledger.flushJournal(agent);
        sendTogether(batch);
        await().atMost(DEADLINE).untilAsserted(() -> assertTotals(agent, "0.50", 5));
        await().atMost(DEADLINE).until(() -> unsynced(reservations) == 0);

        List<ProducerRecord<String, String>> again = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            again.add(record(events.get(i), EventTypes.INVOCATION_COMPLETED, org, invocations.get(i),
                    Ledger.invocationData(invocations.get(i), org, agent, "u1", reservations.get(i), "0.30")));
        }
        List<String> fresh = new ArrayList<>();
        List<String> freshEvents = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            fresh.add(reserve(invocation, agent, org));
            freshEvents.add(PrefixedId.next(PrefixedId.EVENT));
            again.add(record(freshEvents.get(i), EventTypes.INVOCATION_COMPLETED, org, invocation,
                    Ledger.invocationData(invocation, org, agent, "u1", fresh.get(i), "0.01")));
        }
        Ledger.flushJournal(agent);
        sendTogether(again);

        fresh.forEach(id -> Ledger.awaitStatus(id, "settled"));
        assertTotals(agent, "0.52", 7);
        // the new events went through the batch path with the redelivered ones, not one by one
        assertThat(processedBy(freshEvents)).hasSize(1);
        for (String id : reservations) {
            assertThat((BigDecimal) Ledger.reservation(id).get("actual_usd")).isEqualByComparingTo("0.10");
        }
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(520_000, 0, 7, 0));
            assertThat(dayTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(520_000, 0, 7, 0));
        });
    }

    /**
     * One batch holding every way a reservation ends: settled to its reported cost, failed, released, a swept
     * settlement corrected, a reservation still only in its agent's journal, and a refusal without reservation id.
     */
    @Test
    void aBatchMixingEveryEndEndsEachReservationAsItsOwnEventSays() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE + ", \"cost_per_execution\": 0.05");
        String completed = PrefixedId.next(PrefixedId.INVOCATION);
        String settled = reserve(completed, agent, org);
        String failedCall = PrefixedId.next(PrefixedId.INVOCATION);
        String failed = reserve(failedCall, agent, org);
        String blockedCall = PrefixedId.next(PrefixedId.INVOCATION);
        String released = reserve(blockedCall, agent, org);
        String sweptCall = PrefixedId.next(PrefixedId.INVOCATION);
        String swept = decide(sweptCall, agent, org, "\"estimated_cost\": 0.40").extract().path("reservation_id");
        String refusedCall = PrefixedId.next(PrefixedId.INVOCATION);
        String refused = reserve(refusedCall, agent, org);
        Ledger.flushJournal(agent);
        Ledger.age(swept);
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(Ledger.reservation(swept))
                .containsEntry("status", "settled").containsEntry("swept", true));
        // a reservation journaled by a decision whose entry no flush has written yet (no replica was told of it)
        String journaledCall = PrefixedId.next(PrefixedId.INVOCATION);
        String journaled = "res_" + PrefixedId.next(PrefixedId.INVOCATION).substring(4);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        redis.xaddAndAwait(List.of(DecisionJournal.key(agent), "*", "e", journal.json(JournalEntry.of(
                new JournalEntry.Reservation(journaled, org, agent, "u1", "dec_test", journaledCall,
                        new BigDecimal("0.05"), new BigDecimal("0.05"), today.withDayOfMonth(1), null, today, false,
                        Instant.now())))));

        List<String> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(PrefixedId.next(PrefixedId.EVENT));
        }
        sendTogether(List.of(
                record(events.get(0), EventTypes.INVOCATION_COMPLETED, org, completed,
                        Ledger.invocationData(completed, org, agent, "u1", settled, "0.07")),
                record(events.get(1), EventTypes.INVOCATION_FAILED, org, failedCall,
                        Ledger.invocationData(failedCall, org, agent, "u1", failed, "0")),
                record(events.get(2), EventTypes.INVOCATION_BLOCKED, org, blockedCall,
                        Ledger.invocationEvent(blockedCall, org, agent, "{\"decision\": \"ALLOW\", \"decision_id\":"
                                + " \"dec_1\", \"reservation_id\": \"" + released + "\"}", "{\"cost_usd\": 0}")),
                record(events.get(3), EventTypes.INVOCATION_COMPLETED, org, sweptCall,
                        Ledger.invocationData(sweptCall, org, agent, "u1", swept, "0.02")),
                record(events.get(4), EventTypes.INVOCATION_COMPLETED, org, journaledCall,
                        Ledger.invocationData(journaledCall, org, agent, "u1", journaled, "0.04")),
                record(events.get(5), EventTypes.INVOCATION_BLOCKED, org, refusedCall,
                        Ledger.invocationEvent(refusedCall, org, agent, "{\"decision\": \"UNAVAILABLE\"}",
                                "{\"cost_usd\": 0}"))));

        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(Ledger.reservation(settled)).containsEntry("status", "settled");
            assertThat(Ledger.reservation(failed)).containsEntry("status", "settled");
            assertThat(Ledger.reservation(released)).containsEntry("status", "released");
            assertThat(Ledger.reservation(swept)).containsEntry("status", "settled").containsEntry("swept", false);
            assertThat(Ledger.reservation(journaled)).containsEntry("status", "settled");
            assertThat(Ledger.reservation(refused)).containsEntry("status", "released");
        });
        assertThat((BigDecimal) Ledger.reservation(settled).get("actual_usd")).isEqualByComparingTo("0.07");
        assertThat((BigDecimal) Ledger.reservation(failed).get("actual_usd")).isEqualByComparingTo("0");
        assertThat((BigDecimal) Ledger.reservation(swept).get("actual_usd")).isEqualByComparingTo("0.02");
        assertThat((BigDecimal) Ledger.reservation(journaled).get("actual_usd")).isEqualByComparingTo("0.04");
        assertThat(Ledger.refused(refusedCall)).isTrue();
        // 0.07 + 0 + 0.02 + 0.04 over four executions (the failed call counts, the released ones do not)
        assertTotals(agent, "0.13", 4);
        // all in one batch transaction, not one by one
        assertThat(processedBy(events)).hasSize(1).isEqualTo(totalsTransactions(List.of(agent)));
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(130_000, 0, 4, 0));
            assertThat(dayTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(130_000, 0, 4, 0));
        });
    }

    /**
     * The state a crash between a batch's commit and its Redis tally steps leaves (here the agent's tallies refuse
     * the steps): rows ended in the ledger but not synced. The sweeper's resync drops the tallies and the next
     * decision rebuilds them from the ledger, exactly.
     */
    @Test
    void aBatchWhoseTallyStepsNeverRanIsRepairedFromTheLedger() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE);
        List<String> reservations = new ArrayList<>();
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            reservations.add(reserve(invocation, agent, org));
            batch.add(record(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                    Ledger.invocationData(invocation, org, agent, "u1", reservations.get(i), "0.04")));
        }
        Ledger.flushJournal(agent);
        String monthKey = BudgetTallies.agentTag(agent) + ":bud:" + BudgetPeriod.month(Instant.now()).key();
        redis.setAndAwait(List.of(monthKey, "not a tally"));

        sendTogether(batch);

        await().atMost(DEADLINE).untilAsserted(() -> reservations.forEach(id -> assertThat(Ledger.reservation(id))
                .containsEntry("status", "settled")));
        assertTotals(agent, "0.12", 3);
        await().atMost(DEADLINE).until(() -> unsynced(reservations) == 0
                && redis.existsAndAwait(List.of(monthKey)).toInteger() == 0);
        reserve(PrefixedId.next(PrefixedId.INVOCATION), agent, org);
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(120_000, 100_000, 3, 1));
        assertThat(dayTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(120_000, 100_000, 3, 1));
    }

    /**
     * An ended reservation is one row version: the batch transaction that records the events as processed writes it
     * already synced with Redis, and no later transaction touches it.
     */
    @Test
    void anEndedReservationIsWrittenOnceByItsBatchTransactionAlreadySynced() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE);
        List<String> reservations = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<ProducerRecord<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String invocation = PrefixedId.next(PrefixedId.INVOCATION);
            reservations.add(reserve(invocation, agent, org));
            events.add(PrefixedId.next(PrefixedId.EVENT));
            batch.add(record(events.get(i), i == 3 ? EventTypes.INVOCATION_BLOCKED : EventTypes.INVOCATION_COMPLETED,
                    org, invocation, Ledger.invocationData(invocation, org, agent, "u1", reservations.get(i), "0.05")));
        }
        Ledger.flushJournal(agent);

        sendTogether(batch);

        await().atMost(DEADLINE).untilAsserted(() -> reservations.forEach(id -> assertThat(Ledger.reservation(id))
                .containsKey("status").doesNotContainEntry("status", "reserved")));
        assertThat(Ledger.reservation(reservations.get(3))).containsEntry("status", "released");
        assertThat(unsynced(reservations)).as("synced as it was written").isZero();
        assertThat(transactions("select distinct xmin::text from budget_reservation where id = any(?)",
                reservations)).as("written by the transaction that recorded the events").hasSize(1)
                .isEqualTo(processedBy(events));
        assertTotals(agent, "0.15", 3);
        assertThat(monthTally(BudgetTallies.agentTag(agent))).isEqualTo(new Tally(150_000, 0, 3, 0));
    }

    /**
     * The state a crash between a batch's tally steps and its commit leaves (here its transaction fails right after
     * them): Redis holds settlements the ledger does not. Applied again, as the redelivered batch is, the settled
     * markers make its steps no-ops, its rows are written unsynced, and the resync rebuilds the tallies from the
     * ledger: every reservation is counted once.
     */
    @Test
    void aBatchWhoseTransactionFailsAfterItsTallyStepsIsCountedOnceWhenAppliedAgain() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, UNLIMITED_RATE);
        List<Ending> endings = new ArrayList<>();
        List<String> reservations = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String reservation = reserve(PrefixedId.next(PrefixedId.INVOCATION), agent, org);
            reservations.add(reservation);
            endings.add(Ending.settle(reservation, agent, Charge.reported(new BigDecimal("0.04"))));
        }
        Ledger.flushJournal(agent);
        String tag = BudgetTallies.agentTag(agent);

        assertThatThrownBy(() -> replica(() -> settlement.batch(() -> Panache.withTransaction(
                () -> settlement.end(endings).chain(() -> Uni.createFrom().<List<BudgetReservation>>failure(
                        new IllegalStateException("the replica stops before its commit")))))))
                .hasMessageContaining("settlement failed");
        reservations.forEach(id -> assertThat(Ledger.reservation(id)).containsEntry("status", "reserved"));
        assertThat(monthTally(tag)).as("Redis applied the steps").isEqualTo(new Tally(120_000, 0, 3, 0));

        List<String> statuses = replica(() -> settlement.end(endings)).stream().map(row -> row.status).toList();

        assertThat(statuses).containsOnly("settled");
        assertTotals(agent, "0.12", 3);
        assertThat(unsynced(reservations)).as("their steps found their markers").isEqualTo(3);
        assertThat(monthTally(tag)).as("nothing applied twice").isEqualTo(new Tally(120_000, 0, 3, 0));
        String monthKey = tag + ":bud:" + BudgetPeriod.month(Instant.now()).key();
        await().atMost(DEADLINE).until(() -> unsynced(reservations) == 0
                && redis.existsAndAwait(List.of(monthKey)).toInteger() == 0);
        reserve(PrefixedId.next(PrefixedId.INVOCATION), agent, org);
        assertThat(monthTally(tag)).isEqualTo(new Tally(120_000, 100_000, 3, 1));
        assertThat(dayTally(tag)).isEqualTo(new Tally(120_000, 100_000, 3, 1));
    }

    /**
     * Two replicas end reservations of the same two agents at once, released by a barrier, each in the other's
     * order and both holding one reservation in common (an event redelivered to the other replica): neither waits
     * for the other forever, no update is lost and the common reservation is counted once.
     */
    @Test
    void twoReplicasSettlingTheSameAgentsAtOnceNeitherDeadlockNorLoseAnUpdate() throws Exception {
        String org = newOrg();
        String first = newAgent();
        String second = newAgent();
        settings(first, org, UNLIMITED_RATE);
        settings(second, org, UNLIMITED_RATE);
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            String common = reserve(PrefixedId.next(PrefixedId.INVOCATION), first, org);
            List<Ending> one = new ArrayList<>();
            List<Ending> other = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                one.add(Ending.settle(reserve(PrefixedId.next(PrefixedId.INVOCATION), i % 2 == 0 ? first : second,
                        org), null, Charge.reported(new BigDecimal("0.01"))));
                other.add(Ending.settle(reserve(PrefixedId.next(PrefixedId.INVOCATION), i % 2 == 0 ? second : first,
                        org), null, Charge.reported(new BigDecimal("0.01"))));
            }
            one.add(Ending.settle(common, first, Charge.reported(new BigDecimal("0.01"))));
            other.add(0, Ending.settle(common, first, Charge.reported(new BigDecimal("0.01"))));
            Collections.reverse(other);
            Ledger.flushJournal(first);
            Ledger.flushJournal(second);

            AtomicInteger replica = new AtomicInteger();
            List<List<String>> ended = GovernanceApi.together(2, () -> {
                List<Ending> mine = replica.getAndIncrement() == 0 ? one : other;
                return replica(() -> settlement.end(mine)).stream().map(row -> row.status).toList();
            });
            assertThat(ended).allSatisfy(statuses -> assertThat(statuses).containsOnly("settled"));
        }
        // per round, at 0.01 each: first 5 + 5 reservations and the common one (once), second 5 + 5
        assertTotals(first, "0.55", 55);
        assertTotals(second, "0.50", 50);
        assertThat(monthTally(BudgetTallies.agentTag(first))).isEqualTo(new Tally(550_000, 0, 55, 0));
        assertThat(dayTally(BudgetTallies.agentTag(second))).isEqualTo(new Tally(500_000, 0, 50, 0));
    }

    /** Runs a settlement as a replica's consumer does: on a Vert.x duplicated context of its own. */
    private static <T> T replica(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable e) {
            throw new IllegalStateException("the settlement failed", e);
        }
    }

    private static String reserve(String invocation, String agent, String org) {
        return decide(invocation, agent, org, "\"estimated_cost\": 0.10").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
    }

    private static void assertTotals(String agent, String spent, long executions) {
        assertThat((BigDecimal) Ledger.monthTotals(agent).get("spent_usd")).isEqualByComparingTo(spent);
        assertThat(Ledger.monthTotals(agent)).containsEntry("executions", executions);
    }

    /** An invocation event for partition 0, keyed and headed as the gateway's relay does. */
    private static ProducerRecord<String, String> record(String eventId, String type, String org, String invocation,
            String data) {
        CloudEvent event = new CloudEvent(eventId, "/kaizen/test", type, invocation, org, Instant.now(), data);
        return new ProducerRecord<>(TOPIC, 0, invocation, event.data(), event.headers());
    }

    /** Sends records in one request, so the broker appends them at once and the consumer polls them in one batch. */
    private void sendTogether(List<ProducerRecord<String, String>> records) throws Exception {
        List<Future<?>> sent = records.stream().<Future<?>>map(together::send).toList();
        together.flush();
        for (Future<?> send : sent) {
            send.get();
        }
    }

    /** The transactions that recorded these events as processed by the settlement consumer. */
    private static List<String> processedBy(List<String> events) throws SQLException {
        return transactions("select distinct xmin::text from processed_event where consumer = 'governance.settlement'"
                + " and event_id = any(?)", events);
    }

    private static long unsynced(List<String> reservations) throws SQLException {
        return count("select count(*) from budget_reservation where id = any(?) and not tally_synced", reservations);
    }

    /** The transactions that last wrote the agents' totals of this month and today. */
    private static List<String> totalsTransactions(List<String> agents) throws SQLException {
        return transactions("select distinct xmin::text from budget_total where agent_id = any(?)", agents);
    }

    private static List<String> transactions(String sql, List<String> keys) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(sql)) {
            query.setArray(1, db.createArrayOf("varchar", keys.toArray()));
            List<String> ids = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static long count(String sql, List<String> ids) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(sql)) {
            query.setArray(1, db.createArrayOf("varchar", ids.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"), "kaizen", "kaizen");
    }
}
