package io.kaizen.common.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The start-up check of incoming Kafka channels: each names its topics, and none would fail itself while a record is
 * retried ({@link FailurePolicy#channelProblems}).
 */
class ChannelProblemsTest {

    private static final Duration LONGEST_HOLD = Duration.ofMinutes(6);
    /** The connector's stuck-record limit for every channel; 0 turns it off. */
    private static final String CONNECTOR_LIMIT =
            "mp.messaging.connector.smallrye-kafka.throttled.unprocessed-record-max-age.ms";

    @Test
    void aChannelWithItsTopicsAndTheConnectorsLimitOffHasNoProblem() {
        assertThat(FailurePolicy.channelProblems(config(Map.of(
                "mp.messaging.incoming.invocations.connector", "smallrye-kafka",
                "mp.messaging.incoming.invocations.topics", "kaizen.invocations.v1,kaizen.governance.v1",
                "mp.messaging.incoming.agents.connector", "smallrye-kafka",
                "mp.messaging.incoming.agents.topic", "kaizen.agents.v1",
                CONNECTOR_LIMIT, "0")), LONGEST_HOLD)).isEmpty();
    }

    /** What Quarkus leaves for an {@code @Incoming} method whose channel has no configuration: the connector alone. */
    @Test
    void aChannelThatNamesNoTopicIsAProblemNamingIt() {
        List<String> problems = FailurePolicy.channelProblems(config(Map.of(
                "mp.messaging.incoming.invocations.connector", "smallrye-kafka",
                "mp.messaging.incoming.invocations.topics", "kaizen.invocations.v1",
                "mp.messaging.incoming.events.connector", "smallrye-kafka",
                CONNECTOR_LIMIT, "0")), LONGEST_HOLD);

        assertThat(problems).singleElement().satisfies(problem -> assertThat(problem)
                .startsWith("channel events names no topic")
                .contains("mp.messaging.incoming.events.topics"));
    }

    @Test
    void theConnectorsLimitBelowTheLongestHoldIsAProblemAndOffIsNot() {
        Map<String, String> properties = new HashMap<>(Map.of(
                "mp.messaging.incoming.audit.connector", "smallrye-kafka",
                "mp.messaging.incoming.audit.topics", "kaizen.agents.v1"));
        // the connector's default of 60 s is below a hold of 6 minutes
        assertThat(FailurePolicy.channelProblems(config(properties), LONGEST_HOLD)).singleElement()
                .satisfies(problem -> assertThat(problem)
                        .startsWith("channel audit: throttled.unprocessed-record-max-age.ms (60000)"));

        properties.put(CONNECTOR_LIMIT, "0");
        assertThat(FailurePolicy.channelProblems(config(properties), LONGEST_HOLD)).isEmpty();
    }

    @Test
    void channelsOfOtherConnectorsAreNotKafkasToCheck() {
        assertThat(FailurePolicy.channelProblems(config(Map.of(
                "mp.messaging.incoming.local.connector", "smallrye-in-memory")), LONGEST_HOLD)).isEmpty();
    }

    @Test
    void theConsumersOfAConcurrentChannelAreNamedAsTheChannel() {
        assertThat(FailurePolicy.channel("invocations$1")).isEqualTo("invocations");
        assertThat(FailurePolicy.channel("invocations$12")).isEqualTo("invocations");
        assertThat(FailurePolicy.channel("invocations")).isEqualTo("invocations");
        assertThat(FailurePolicy.channel("price$")).isEqualTo("price$");
        assertThat(FailurePolicy.channel("a$b")).isEqualTo("a$b");
    }

    private static Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }
}
