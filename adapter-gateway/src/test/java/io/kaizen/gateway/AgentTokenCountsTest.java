package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.common.events.Topics;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The token counts a custom_http agent reports ({@code input_tokens}, {@code output_tokens} at the top level, under
 * {@code usage} or under {@code metadata}) price the call at the rates governance gave with its decision (the stand-in
 * gives the reference rates), and go to the answer, the invocation record and the event; counts that are not whole
 * numbers from 0 to 100,000,000 are ignored.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class AgentTokenCountsTest {

    private static TestAgent agent;

    private final Invoker caller = new Invoker();

    @BeforeAll
    static void startAgent() {
        agent = new TestAgent();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    /** Invokes an agent that answers {@code answer}; returns the invocation id after checking the 200. */
    private String invoke(String answer, String cost, Integer tokensUsed) {
        String agentId = caller.agent(agent.url("/answer-input"));
        return caller.invoking().body(new JsonObject().put("input", answer).encode())
                .when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200)
                .header("X-Kaizen-Cost-USD", cost)
                .body("metadata.cost_usd", equalTo(Float.parseFloat(cost)))
                .body("metadata.tokens_used", tokensUsed == null ? nullValue() : equalTo(tokensUsed))
                .extract().header("X-Kaizen-Invocation-ID");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"result\": \"done\", \"input_tokens\": 1000, \"output_tokens\": 500}",
            "{\"result\": \"done\", \"usage\": {\"input_tokens\": 1000, \"output_tokens\": 500}}",
            "{\"result\": \"done\", \"metadata\": {\"input_tokens\": 1000, \"output_tokens\": 500}}"})
    void reportedTokensArePricedAndCarriedInTheRecordAndTheEvent(String answer) {
        // 1,000 × 0.00001 + 500 × 0.00003 + 0.001
        String invocationId = invoke(answer, "0.026", 1500);

        JsonObject result = event(invocationId).getJsonObject("result");
        assertThat(result.getLong("input_tokens")).isEqualTo(1000L);
        assertThat(result.getLong("output_tokens")).isEqualTo(500L);
        assertThat(result.getValue("reported_cost_usd")).isNull();
        assertThat(new BigDecimal(result.getValue("cost_usd").toString())).isEqualByComparingTo("0.026");
        assertThat(recordedTokens(invocationId)).containsExactly(1000L, 500L);
    }

    @Test
    void aReportedCostWinsOverTokensWhichAreStillRecorded() {
        String invocationId = invoke("{\"cost_usd\": 0.30, \"usage\": {\"input_tokens\": 10, \"output_tokens\": 0}}",
                "0.3", 10);
        JsonObject result = event(invocationId).getJsonObject("result");
        assertThat(new BigDecimal(result.getValue("reported_cost_usd").toString())).isEqualByComparingTo("0.30");
        assertThat(result.getLong("input_tokens")).isEqualTo(10L);
        assertThat(result.getLong("output_tokens")).isZero();
    }

    @Test
    void oneCountIsEnoughAndTheLargestBelievableCountIsTaken() {
        // 100,000,000 × 0.00003 + 0.001
        String invocationId = invoke("{\"output_tokens\": 100000000}", "3000.001", 100_000_000);
        JsonObject result = event(invocationId).getJsonObject("result");
        assertThat(result.getValue("input_tokens")).isNull();
        assertThat(result.getLong("output_tokens")).isEqualTo(100_000_000L);
    }

    @Test
    void garbageTokenCountsAreIgnoredAndTheConfiguredCostIsCharged() {
        for (String answer : List.of(
                "{\"input_tokens\": \"1000\", \"output_tokens\": -1}",
                "{\"input_tokens\": 1.5, \"output_tokens\": 1e400}",
                "{\"input_tokens\": 100000001, \"output_tokens\": 99999999999999999999999}",
                "{\"input_tokens\": [1], \"output_tokens\": {\"n\": 1}}",
                "{\"input_tokens\": null, \"usage\": \"lots\", \"metadata\": 7}",
                "{\"input_tokens\": true, \"output_tokens\": 1e-999999999}",
                "{\"input_tokens\": 1000.0, \"output_tokens\": 1e3}",
                "[{\"input_tokens\": 5}]",
                "\"input_tokens\"")) {
            String invocationId = invoke(answer, "0.05", null);
            JsonObject result = event(invocationId).getJsonObject("result");
            assertThat(result.getValue("input_tokens")).as(answer).isNull();
            assertThat(result.getValue("output_tokens")).as(answer).isNull();
            assertThat(recordedTokens(invocationId)).as(answer).containsExactly(null, null);
        }
    }

    private static JsonObject event(String invocationId) {
        ConsumerRecord<String, String> event = TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(),
                Topics.INVOCATIONS, record -> invocationId.equals(record.key()), 1, Duration.ofSeconds(60)).get(0);
        return new JsonObject(event.value());
    }

    private static List<Long> recordedTokens(String invocationId) {
        try (Connection db = DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("gateway"), "kaizen",
                "kaizen");
                PreparedStatement query = db.prepareStatement(
                        "select input_tokens, output_tokens from invocation where id = ?")) {
            query.setString(1, invocationId);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                return Arrays.asList((Long) row.getObject(1), (Long) row.getObject(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
