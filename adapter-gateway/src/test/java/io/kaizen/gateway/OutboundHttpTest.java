package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** What the gateway does on its way out to an agent: no redirects, the checked address only, at most 1 MiB back. */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class OutboundHttpTest {

    private static TestAgent AGENT;

    private final Invoker caller = new Invoker();

    @Inject
    RebindingResolver resolver;

    @BeforeAll
    static void startAgent() {
        AGENT = new TestAgent();
    }

    @AfterAll
    static void stopAgent() {
        AGENT.close();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = { 301, 302, 303, 307, 308 })
    void aRedirectFromTheAgentIsNotFollowed(int status) {
        String agentId = caller.agent(AGENT.url("/redirect-" + status));

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("upstream_status", equalTo(status));

        assertThat(AGENT.hits("/redirect-" + status)).hasSize(1);
        assertThat(AGENT.hits("/redirected-" + status)).isEmpty();
    }

    @Test
    void theConnectionGoesToTheCheckedAddressAndALaterAnswerIsNeverUsed() {
        resolver.reset();
        String host = RebindingResolver.HOST + ":" + AGENT.port();
        String agentId = caller.agent("http://" + host + "/checked");

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(200).body("output.answer", equalTo("ok"));

        assertThat(AGENT.hits("/checked")).singleElement().satisfies(hit -> assertThat(hit.host()).isEqualTo(host));
        assertThat(resolver.lookups()).as("the name was resolved once, for the check").isEqualTo(1);

        // the name now resolves to a private address: the next call is refused before anything connects
        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("detail", containsString("egress guard"));
        assertThat(AGENT.hits("/checked")).hasSize(1);
    }

    @Test
    void theEgressChecksOfConcurrentInvokesRunSideBySide() throws Exception {
        // one more invoke than there are event loops, so at least two share one: ordered blocking work of a loop
        // runs one task at a time, and the lookups below only answer once all of them run together
        int invokes = 2 * Runtime.getRuntime().availableProcessors() + 1;
        resolver.gather(invokes);
        String agentId = caller.agent("http://" + RebindingResolver.GATHERING_HOST + ":" + AGENT.port() + "/gathered");
        ExecutorService pool = Executors.newFixedThreadPool(invokes);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < invokes; i++) {
                statuses.add(pool.submit(() -> caller.invoking().when()
                        .post("/api/v1/external-agents/{id}/invoke", agentId).then().extract().statusCode()));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get(90, TimeUnit.SECONDS)).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(AGENT.hits("/gathered")).hasSize(invokes);
    }

    @ParameterizedTest(name = "length declared: {0}")
    @ValueSource(booleans = { true, false })
    void aFiftyMebibyteAnswerIsCutOffWithoutFillingTheHeap(boolean declared) {
        // a first call of the same shape, so that what is measured below is the answer alone, not warm-up
        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", caller.agent(AGENT.url("/warm-up")))
                .then().statusCode(200);
        String agentId = caller.agent(AGENT.url("/huge" + (declared ? "?declared" : "")));
        int answered = AGENT.hugeBytesSent().size();
        Map<Long, Long> allocatedBefore = allocatedBytesByThread();

        caller.invoking().when().post("/api/v1/external-agents/{id}/invoke", agentId)
                .then().statusCode(502).contentType("application/problem+json")
                .body("error_code", equalTo("UPSTREAM_ERROR"))
                .body("detail", containsString("larger than 1 MiB"));

        long allocated = allocatedSince(allocatedBefore);
        await().atMost(Duration.ofSeconds(60)).until(() -> AGENT.hugeBytesSent().size() > answered);
        assertThat(AGENT.hugeBytesSent().get(answered)).as("bytes the agent got to send before the gateway hung up")
                .isLessThan(TestAgent.HUGE_BYTES / 2);
        assertThat(allocated).as("heap allocated in this JVM while the call ran")
                .isLessThan(TestAgent.HUGE_BYTES / 2);
    }

    private static Map<Long, Long> allocatedBytesByThread() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long[] allocated = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byThread = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            byThread.put(ids[i], allocated[i]);
        }
        return byThread;
    }

    /** Heap allocated since the snapshot by the threads alive now (a thread started since counts in full). */
    private static long allocatedSince(Map<Long, Long> before) {
        long total = 0;
        for (Map.Entry<Long, Long> now : allocatedBytesByThread().entrySet()) {
            if (now.getValue() > 0) {
                total += now.getValue() - before.getOrDefault(now.getKey(), 0L);
            }
        }
        return total;
    }
}
