package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.Topics;
import io.kaizen.common.outbox.Outbox;
import io.kaizen.common.outbox.OutboxRelay;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * The outbox relay is woken by the commit of the rows it publishes: with its timed poll an hour away (first and
 * every later tick), an invocation's event still reaches Kafka, carried only by the notification of its
 * transaction, also after the listening connection was dropped and opened again.
 */
@QuarkusTest
@TestProfile(OutboxWakeUpTest.PollAnHourAway.class)
@QuarkusTestResource(GatewayTestResource.class)
class OutboxWakeUpTest {

    public static class PollAnHourAway implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kaizen.outbox.poll-interval", "1h", "kaizen.outbox.start-delay", "1h");
        }
    }

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @Inject
    OutboxRelay relay;

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void anInvocationsEventIsPublishedWithoutWaitingForThePoll() {
        await().atMost(Duration.ofSeconds(60)).until(relay::listening);

        assertPublishedSoonAfter(invoke());
    }

    /** The server ends the listening connection; the relay opens another, listens again and is woken again. */
    @Test
    void theRelayListensAgainAfterItsConnectionDropped() throws SQLException {
        int dropped = await().atMost(Duration.ofSeconds(60)).until(OutboxWakeUpTest::listener, pid -> pid != 0);
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                Statement statement = db.createStatement()) {
            statement.execute("select pg_terminate_backend(" + dropped + ")");
        }

        await().atMost(Duration.ofSeconds(60)).until(OutboxWakeUpTest::listener, pid -> pid != 0 && pid != dropped);
        assertPublishedSoonAfter(invoke());
    }

    private String invoke() {
        String agentId = caller.agent(agent.url("/ok"));
        return caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");
    }

    private static void assertPublishedSoonAfter(String invocationId) {
        var published = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(), Topics.INVOCATIONS,
                record -> invocationId.equals(record.key()), 1, Duration.ofSeconds(60));
        assertThat(TopicReader.header(published.get(0), "ce_type")).isEqualTo("kaizen.invocation.completed.v1");
    }

    /** The backend that has finished its LISTEN on the outbox channel (0 when there is none). */
    private static int listener() throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery("select coalesce(max(pid), 0) from pg_stat_activity"
                        + " where datname = 'gateway' and state = 'idle' and query = 'LISTEN \"" + Outbox.CHANNEL + "\"'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
