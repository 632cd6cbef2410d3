package io.kaizen.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** Governance keeps the newest of an agent's snapshots when registry's events arrive out of order. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class AgentEventOrderTest {

    @Test
    void anAgentEventOlderThanTheOneAppliedIsIgnored() throws Exception {
        String agent = GovernanceApi.newAgent();
        String org = GovernanceApi.newOrg();
        Instant registered = Instant.parse("2026-11-28T10:00:00Z");
        String newer = publish(EventTypes.AGENT_UPDATED, agent, org, "production", "[\"newer\"]", registered.plusSeconds(20));
        String older = publish(EventTypes.AGENT_UPDATED, agent, org, "staging", "[\"older\"]", registered.plusSeconds(10));
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(newer) && processed(older));
        assertThat(agentRow(agent)).containsExactly("production", "[\"newer\"]");

        String newest = publish(EventTypes.AGENT_UPDATED, agent, org, "development", "[\"newest\"]", registered.plusSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(newest));
        assertThat(agentRow(agent)).containsExactly("development", "[\"newest\"]");
    }

    private static String publish(String type, String agent, String org, String environment, String tags,
            Instant occurredAt) throws Exception {
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        String data = """
                {"agent_id": "%s", "organization_id": "%s", "name": "Bot", "platform": "custom_http", "status": "active",
                 "environment": "%s", "tags": %s, "actor": "u1", "occurred_at": "%s", "changed_fields": ["tags"]}
                """.formatted(agent, org, environment, tags, occurredAt);
        CloudEvent event = new CloudEvent(eventId, "/kaizen/registry-service", type, agent, org, occurredAt, data);
        Properties config = new Properties();
        config.put("bootstrap.servers", DevStackTestResource.stack().kafkaBootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>("kaizen.agents.v1", null, agent, data, event.headers())).get();
        }
        return eventId;
    }

    private static boolean processed(String eventId) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("governance");
                PreparedStatement query = db.prepareStatement(
                        "select 1 from processed_event where consumer = 'governance.agents' and event_id = ?")) {
            query.setString(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static List<String> agentRow(String agent) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("governance");
                PreparedStatement query = db.prepareStatement(
                        "select environment, tags from agent_governance where agent_id = ?")) {
            query.setString(1, agent);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).as("agent row of " + agent).isTrue();
                return List.of(rows.getString(1), rows.getString(2));
            }
        }
    }
}
