package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.internal;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.outcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.governance.service.GovernanceSnapshots;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * Decisions read agents' and organisations' configuration from memory, and every replica drops an entry when a
 * change of it commits anywhere: the writer notifies {@code kaizen_governance} in its transaction. Changes are made
 * here straight in PostgreSQL, the way another replica's writes arrive, with or without that notification; the entry
 * lives minutes (the test profile's listening TTL is the default 5 min), so only the notification can explain a
 * decision that sees the change. Agents and organisations are new and written only here, so no notification of an
 * earlier write of theirs can arrive late and drop an entry the test expects to stay.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class ConfigurationCacheTest {

    private static final String ORGANIZATION_BUDGET = "insert into organization_governance"
            + " (organization_id, monthly_budget_usd, updated_at) values (?, ?, now()) on conflict (organization_id)"
            + " do update set monthly_budget_usd = excluded.monthly_budget_usd, updated_at = now()";
    private static final String DELETED_AGENT = "insert into agent_governance (agent_id, organization_id, deleted_at,"
            + " updated_at) values (?, ?, now(), now())";

    @Inject
    GovernanceSnapshots snapshots;

    @BeforeEach
    void listening() {
        await().atMost(Duration.ofSeconds(60)).until(snapshots::listening);
    }

    @Test
    void anOrganisationsChangeCommittedElsewhereReachesTheNextDecisionThroughItsNotification() throws SQLException {
        String org = newOrg();
        String agent = newAgent();
        assertThat(outcome(agent, org, "\"estimated_cost\": 1")).isEqualTo("ALLOW");

        // written without telling anyone: decisions keep answering from memory
        write(ORGANIZATION_BUDGET, org, "0.01", null);
        for (int i = 0; i < 3; i++) {
            assertThat(outcome(agent, org, "\"estimated_cost\": 1")).isEqualTo("ALLOW");
        }

        // the same write announced in its transaction, as every writer does
        write(ORGANIZATION_BUDGET, org, "0.01", "organization:" + org);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> outcome(agent, org, "\"estimated_cost\": 1"), "DENY_BUDGET"::equals);
    }

    @Test
    void anAgentsChangeCommittedElsewhereReachesTheNextDecisionThroughItsNotification() throws SQLException {
        String org = newOrg();
        String agent = newAgent();
        assertThat(status(agent, org)).isEqualTo(200);

        write(DELETED_AGENT, agent, org, null);
        assertThat(status(agent, org)).isEqualTo(200);

        write("update agent_governance set updated_at = now() where agent_id = ?", agent, null, "agent:" + agent);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(agent, org), status -> status == 404);
    }

    /**
     * While the listening connection is down notifications are lost: everything cached is dropped when it listens
     * again, so a change made meanwhile, never announced to this replica, is still read.
     */
    @Test
    void aChangeMadeWhileTheListeningConnectionWasDownIsReadAfterItListensAgain() throws SQLException {
        String org = newOrg();
        String agent = newAgent();
        assertThat(outcome(agent, org, "\"estimated_cost\": 1")).isEqualTo("ALLOW");

        int dropped = await().atMost(Duration.ofSeconds(60)).until(ConfigurationCacheTest::listener, pid -> pid != 0);
        try (Connection db = connect(); Statement statement = db.createStatement()) {
            statement.execute("select pg_terminate_backend(" + dropped + ")");
        }
        write(ORGANIZATION_BUDGET, org, "0.01", null);

        await().atMost(Duration.ofSeconds(60)).until(ConfigurationCacheTest::listener, pid -> pid != 0 && pid != dropped);
        await().atMost(Duration.ofSeconds(60)).until(snapshots::listening);
        assertThat(outcome(agent, org, "\"estimated_cost\": 1")).isEqualTo("DENY_BUDGET");

        // and announced changes are heard again
        write(ORGANIZATION_BUDGET, org, "1000", "organization:" + org);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> outcome(agent, org, "\"estimated_cost\": 1"), "ALLOW"::equals);
    }

    /**
     * More first decisions at once than the service has connections (20), of agents of one organisation nobody has
     * asked for yet: each agent's load and the organisation's shared one all need a connection, and none waits for
     * another while holding one, so every decision is answered.
     */
    @Test
    void aBurstOfFirstDecisionsOfManyAgentsOfANewOrganisationIsAnswered() throws Exception {
        String org = newOrg();
        int calls = 60;
        CyclicBarrier barrier = new CyclicBarrier(calls);
        List<Callable<String>> decisions = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            String agent = newAgent();
            decisions.add(() -> {
                barrier.await();
                return outcome(agent, org, "");
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            List<Future<String>> answers = pool.invokeAll(decisions, 120, TimeUnit.SECONDS);
            for (Future<String> answer : answers) {
                assertThat(answer.isCancelled()).as("a decision still unanswered after 120 s").isFalse();
                assertThat(answer.get()).isEqualTo("ALLOW");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int status(String agent, String org) {
        return internal().body("{\"invocation_id\": \"" + PrefixedId.next(PrefixedId.INVOCATION)
                        + "\", \"organization_id\": \"" + org + "\", \"agent_id\": \"" + agent + "\", \"user_id\": \"u1\"}")
                .when().post("/internal/v1/decisions").statusCode();
    }

    /**
     * One transaction: the statement with its parameters (an amount is passed as a number), and the notification
     * when one is given.
     */
    private static void write(String sql, String id, String second, String notification) throws SQLException {
        try (Connection db = connect()) {
            db.setAutoCommit(false);
            try (PreparedStatement statement = db.prepareStatement(sql)) {
                statement.setString(1, id);
                if (second != null && second.matches("[0-9.]+")) {
                    statement.setBigDecimal(2, new BigDecimal(second));
                } else if (second != null) {
                    statement.setString(2, second);
                }
                assertThat(statement.executeUpdate()).isEqualTo(1);
            }
            if (notification != null) {
                try (PreparedStatement notify = db.prepareStatement("select pg_notify(?, ?)")) {
                    notify.setString(1, GovernanceSnapshots.CHANNEL);
                    notify.setString(2, notification);
                    notify.execute();
                }
            }
            db.commit();
        }
    }

    /** The backend of the service's listening connection (0 when there is none). */
    private static int listener() throws SQLException {
        try (Connection db = connect(); Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("select coalesce(max(pid), 0) from pg_stat_activity"
                        + " where datname = 'governance' and state = 'idle' and query like 'LISTEN %'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"), "kaizen", "kaizen");
    }
}
