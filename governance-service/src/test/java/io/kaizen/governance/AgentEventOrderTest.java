package io.kaizen.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Governance keeps the newest of an agent's snapshots when registry's events arrive out of order, and never puts
 * back settings that changed while an event was applied.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class AgentEventOrderTest {

    private static final String CONSUMER = "governance.agents";

    @Test
    void anAgentEventOlderThanTheOneAppliedIsIgnored() {
        String agent = GovernanceApi.newAgent();
        String org = GovernanceApi.newOrg();
        Instant registered = Instant.parse("2026-11-28T10:00:00Z");
        String newer = publish(agent, org, "production", "[\"newer\"]", registered.plusSeconds(20));
        String older = publish(agent, org, "staging", "[\"older\"]", registered.plusSeconds(10));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Ledger.processed(CONSUMER, newer) && Ledger.processed(CONSUMER, older));
        assertThat(agentRow(agent)).containsEntry("environment", "production").containsEntry("tags", "[\"newer\"]");

        String newest = publish(agent, org, "development", "[\"newest\"]", registered.plusSeconds(30));
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.processed(CONSUMER, newest));
        assertThat(agentRow(agent)).containsEntry("environment", "development").containsEntry("tags", "[\"newest\"]");
    }

    @Test
    void anAgentEventAppliedWhileTheSettingsChangeKeepsTheNewSettings() throws Exception {
        String agent = GovernanceApi.newAgent();
        String org = GovernanceApi.newOrg();
        Instant registered = Instant.parse("2026-11-28T10:00:00Z");
        String first = publish(agent, org, "production", "[\"a\"]", registered);
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.processed(CONSUMER, first));

        // a settings change holds the row while the next event arrives, as a budget change through the API would
        try (Connection change = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"),
                "kaizen", "kaizen")) {
            change.setAutoCommit(false);
            try (PreparedStatement update = change.prepareStatement(
                    "update agent_governance set monthly_budget_usd = 7 where agent_id = ?")) {
                update.setString(1, agent);
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            String second = publish(agent, org, "staging", "[\"b\"]", registered.plusSeconds(10));
            // the consumer is now waiting for the row: applying the event has to wait for the change
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingForRowLocks() > 0);
            change.commit();
            await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.processed(CONSUMER, second));
        }
        Map<String, Object> row = Ledger.row(
                "select environment, monthly_budget_usd::text as budget from agent_governance where agent_id = ?", agent);
        assertThat(row).containsEntry("environment", "staging");
        assertThat((String) row.get("budget")).as("the monthly budget the change set").isNotNull();
        assertThat(new BigDecimal((String) row.get("budget"))).isEqualByComparingTo("7");
    }

    @Test
    void theAgentsFirstEventAndRegistrysFirstWriteInsertingItsRowTogetherAreBothApplied() throws Exception {
        String agent = GovernanceApi.newAgent();
        String org = GovernanceApi.newOrg();
        String event;
        CompletableFuture<Integer> put;
        // the barrier: a row of the agent inserted and held uncommitted, so both first writes find no row and wait
        // to insert theirs; rolling it back releases them together
        try (Connection barrier = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("governance"),
                "kaizen", "kaizen")) {
            barrier.setAutoCommit(false);
            try (PreparedStatement insert = barrier.prepareStatement(
                    "insert into agent_governance (agent_id, organization_id, updated_at) values (?, ?, now())")) {
                insert.setString(1, agent);
                insert.setString(2, org);
                insert.executeUpdate();
            }
            event = publish(agent, org, "staging", "[\"first\"]", Instant.parse("2026-11-28T10:00:00Z"));
            put = CompletableFuture.supplyAsync(() -> GovernanceApi.internal()
                    .body("{\"organization_id\": \"" + org + "\", \"requests_per_minute\": 3}")
                    .when().put("/internal/v1/agents/" + agent + "/governance")
                    .then().extract().statusCode());
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingForRowLocks() >= 2);
            barrier.rollback();
        }
        assertThat(put.get(60, TimeUnit.SECONDS)).as("registry's write").isEqualTo(200);
        DeadLetterQueue deadLetters = new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap());
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.processed(CONSUMER, event)
                || deadLetters.list("kaizen.agents.v1").stream().anyMatch(letter -> event.equals(letter.eventId())));
        assertThat(Ledger.processed(CONSUMER, event)).as("the agent event is applied, not dead-lettered").isTrue();
        assertThat(Ledger.row("select environment, requests_per_minute::text as rpm from agent_governance"
                + " where agent_id = ?", agent)).containsEntry("environment", "staging").containsEntry("rpm", "3");
    }

    private static long waitingForRowLocks() {
        Map<String, Object> row = Ledger.row("select count(*)::text as waiting from pg_locks where not granted");
        return Long.parseLong((String) row.get("waiting"));
    }

    /** An {@code agent.updated} event as registry's relay publishes it, keyed by the agent. */
    private static String publish(String agent, String org, String environment, String tags, Instant occurredAt) {
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        String data = """
                {"agent_id": "%s", "organization_id": "%s", "name": "Bot", "platform": "custom_http", "status": "active",
                 "environment": "%s", "tags": %s, "actor": "u1", "occurred_at": "%s", "changed_fields": ["tags"]}
                """.formatted(agent, org, environment, tags, occurredAt);
        Ledger.publish("kaizen.agents.v1", new CloudEvent(eventId, "/kaizen/registry-service", EventTypes.AGENT_UPDATED,
                agent, org, occurredAt, data));
        return eventId;
    }

    private static Map<String, Object> agentRow(String agent) {
        Map<String, Object> row = Ledger.row("select environment, tags from agent_governance where agent_id = ?",
                agent);
        assertThat(row).as("agent row of " + agent).isNotNull();
        return row;
    }
}
