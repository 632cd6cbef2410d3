package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.common.events.EventTypes;
import io.kaizen.gateway.messaging.AgentCacheInvalidation;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;

/**
 * The gateway reads an agent from registry once and then serves it from its cache, until registry announces a
 * change of that agent on {@code kaizen.agents.v1}. Registry is {@link InternalApiStandIn}, which counts the reads.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class AgentCacheTest {

    private static TestAgent agent;

    private final Invoker caller = new Invoker();
    private final InternalApiStandIn registry = InternalApiStandIn.shared();

    @Inject
    AgentCacheInvalidation invalidation;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void startAgent() {
        agent = new TestAgent();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @BeforeEach
    void eventsAreFollowed() {
        // with auto.offset.reset=latest, an event published before the consumer holds its partitions is not read
        await().atMost(Duration.ofSeconds(60)).until(invalidation::listening);
    }

    @Test
    void aSecondInvokeOfAnAgentAsksRegistryNothing() {
        String id = caller.agent(agent.url("/cached"));

        invoke(id).statusCode(200);
        invoke(id).statusCode(200);

        assertThat(registry.reads(id)).isEqualTo(1);
        assertThat(agent.hits("/cached")).hasSize(2);
    }

    @Test
    void anAgentDeactivatedInRegistryIsRefusedOnceItsEventArrives() {
        String id = caller.agent(agent.url("/deactivated"));
        invoke(id).statusCode(200);
        registry.status(id, "inactive");
        invoke(id).statusCode(200);

        AgentEvents.publish(AgentEvents.event(EventTypes.AGENT_UPDATED, id, caller.organizationId, "inactive", "status"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> invoke(id)
                .statusCode(409).contentType("application/problem+json")
                .body("error_code", equalTo("CONFLICT"))
                .body("detail", containsString("inactive")));
        assertThat(registry.reads(id)).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { EventTypes.AGENT_UPDATED, EventTypes.AGENT_DELETED, EventTypes.AGENT_CREDENTIALS_ROTATED })
    void everyChangeOfAnAgentMakesTheNextInvokeReadItAgain(String type) {
        String id = caller.agent(agent.url("/changed"));
        invoke(id).statusCode(200);
        invoke(id).statusCode(200);
        assertThat(registry.reads(id)).isEqualTo(1);

        AgentEvents.publish(AgentEvents.event(type, id, caller.organizationId, "active", "auth_config"));

        awaitReadAgain(id, 1);
    }

    @Test
    void theAuditOfTheGatewaysOwnReadKeepsTheAgentCached() {
        String audited = caller.agent(agent.url("/audited"));
        String marker = caller.agent(agent.url("/marker"));
        invoke(audited).statusCode(200);
        invoke(marker).statusCode(200);

        AgentEvents.publish(
                AgentEvents.event(EventTypes.AGENT_CREDENTIALS_ACCESSED, audited, caller.organizationId, "active", "credentials"),
                AgentEvents.event(EventTypes.AGENT_UPDATED, marker, caller.organizationId, "active", "tags"));

        awaitReadAgain(marker, 1);
        invoke(audited).statusCode(200);
        assertThat(registry.reads(audited)).as("reads of the agent whose read was audited").isEqualTo(1);
    }

    @Test
    void anUnreadableRecordDropsOnlyTheAgentItsKeyNamesAndTheConsumerGoesOn() {
        String bystander = caller.agent(agent.url("/bystander"));
        String keyed = caller.agent(agent.url("/keyed"));
        String marker = caller.agent(agent.url("/after-poison"));
        invoke(bystander).statusCode(200);
        invoke(keyed).statusCode(200);
        invoke(marker).statusCode(200);

        AgentEvents.publish(AgentEvents.unreadable(keyed), AgentEvents.unreadable(null),
                AgentEvents.event(EventTypes.AGENT_UPDATED, marker, caller.organizationId, "active", "tags"));

        awaitReadAgain(marker, 1);
        invoke(keyed).statusCode(200);
        invoke(bystander).statusCode(200);
        assertThat(registry.reads(keyed)).as("reads of the agent the unreadable record's key names").isEqualTo(2);
        assertThat(registry.reads(bystander)).as("reads of an agent no record names").isEqualTo(1);
    }

    @Test
    void concurrentFirstInvokesOfOneAgentShareOneRegistryRead() throws Exception {
        int callers = 12;
        String id = caller.agent(agent.url("/popular"));
        InternalApiStandIn.Hold hold = registry.hold(id);
        double waitingBefore = cacheHits();
        CyclicBarrier start = new CyclicBarrier(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                statuses.add(pool.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    return invoke(id).extract().statusCode();
                }));
            }
            assertThat(hold.awaitArrival()).as("the first read reached registry").isTrue();
            // the others found the read in flight (a cache hit each) while registry still held it
            await().atMost(Duration.ofSeconds(60)).until(() -> cacheHits() - waitingBefore >= callers - 1);
            hold.release();
            for (Future<Integer> status : statuses) {
                assertThat(status.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            hold.release();
            pool.shutdownNow();
        }
        assertThat(registry.reads(id)).isEqualTo(1);
        assertThat(agent.hits("/popular")).hasSize(callers);
    }

    @Test
    void anotherOrganisationsAgentIsStillA404WhenCached() {
        String id = caller.agent(agent.url("/foreign"));
        invoke(id).statusCode(200);

        new Invoker().invoking().when().post("/api/v1/external-agents/{id}/invoke", id)
                .then().statusCode(404).contentType("application/problem+json")
                .body("error_code", equalTo("NOT_FOUND"));

        assertThat(registry.reads(id)).as("the 404 came from the cached agent").isEqualTo(1);
        assertThat(agent.hits("/foreign")).hasSize(1);
    }

    private ValidatableResponse invoke(String agentId) {
        return caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId).then();
    }

    /** Invokes until registry is asked for the agent again: its event has been read and its entry dropped. */
    private void awaitReadAgain(String agentId, long readsBefore) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            invoke(agentId);
            return registry.reads(agentId) > readsBefore;
        });
    }

    private double cacheHits() {
        return meters.get("cache.gets").tag("cache", "agents").tag("result", "hit").functionCounter().count();
    }
}
