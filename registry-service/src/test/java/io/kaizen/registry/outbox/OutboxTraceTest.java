package io.kaizen.registry.outbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * An event keeps the trace of the request that wrote it: the outbox row stores the request's W3C trace context and
 * the published record carries it as the CloudEvents distributed-tracing extension ({@code ce_traceparent}, with
 * {@code ce_tracestate}), although the relay publishes it later on a context of its own.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class OutboxTraceTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";

    @Test
    void anEventCarriesTheTraceOfTheRequestThatWroteIt() throws SQLException {
        String org = "org_" + UUID.randomUUID();
        String token = DevStackTestResource.stack().keys().token(org, List.of("org_owner"), "alice", null,
                Duration.ofMinutes(5));

        String agentId = given().auth().oauth2(token).contentType(ContentType.JSON)
                .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-01")
                .header("tracestate", "kaizen=test")
                .body(agent("Traced agent"))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");

        String stored = storedTraceparent(agentId);
        // a child of the caller's span: the service's own span of the request, in the caller's trace
        assertThat(stored).matches("00-" + TRACE + "-[0-9a-f]{16}-01").doesNotContain(CALLER_SPAN);

        ConsumerRecord<String, String> published = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                "kaizen.agents.v1", record -> agentId.equals(record.key())
                        && EventTypes.AGENT_REGISTERED.equals(TopicReader.header(record, "ce_type")),
                1, Duration.ofSeconds(30)).get(0);
        assertThat(TopicReader.header(published, "ce_traceparent")).isEqualTo(stored);
        assertThat(TopicReader.header(published, "ce_tracestate")).isEqualTo("kaizen=test");
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceItsEventsCarry() throws SQLException {
        String org = "org_" + UUID.randomUUID();
        String token = DevStackTestResource.stack().keys().token(org, List.of("org_owner"), "alice", null,
                Duration.ofMinutes(5));

        String agentId = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(agent("Untraced agent"))
                .when().post("/api/v1/external-agents")
                .then().statusCode(201).extract().path("id");

        assertThat(storedTraceparent(agentId)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    private static String agent(String name) {
        return "{\"name\": \"" + name + "\", \"platform\": \"custom_http\","
                + " \"endpoint_url\": \"https://agent.example.com/run\"}";
    }

    private static String storedTraceparent(String agentId) throws SQLException {
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen",
                "kaizen"); PreparedStatement query = db.prepareStatement(
                        "select traceparent from outbox_event where event_key = ? and type = ?")) {
            query.setString(1, agentId);
            query.setString(2, EventTypes.AGENT_REGISTERED);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).as("the agent's registered event").isTrue();
                return rs.getString(1);
            }
        }
    }
}
