package io.kaizen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Sink;
import io.vertx.core.Vertx;

/**
 * A platform's invoke run against a real HTTP server standing in for the router: a call the gateway failed because
 * the platform refused it is counted as an error labelled with the platform's status, never as a success.
 */
class PlatformInvokeErrorsTest {

    private static final String UPSTREAM_PROBLEM = """
            {"type":"https://kaizen.dev/problems/upstream-error","title":"Bad Gateway","status":502,
             "error_code":"UPSTREAM_ERROR","detail":"External agent call failed: agent answered HTTP 400: no_text",
             "invocation_id":"inv_1","upstream_status":400}""";

    private Vertx vertx;
    private Sink router;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        router = new Sink(vertx, 0);
        router.start();
    }

    @AfterEach
    void stop() {
        router.stop();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aCallThePlatformRefusedCountsAsAnErrorWithThePlatformsStatus() {
        router.respond(502, 0, UPSTREAM_PROBLEM, -1);

        LoadResult result = run();

        assertThat(result.ok()).isZero();
        assertThat(result.problems()).isEqualTo(Map.of("HTTP 502, agent answered 400", 20L));
        assertThat(BenchReport.errors(result)).isEqualTo("20 (HTTP 502, agent answered 400 20)");
        assertThat(router.requests()).allSatisfy(request -> assertThat(request.path())
                .isEqualTo("/api/v1/external-agents/agt_slack/invoke"));
    }

    @Test
    void aGatewayErrorWithoutAnAgentStatusCountsUnderItsOwnStatus() {
        router.respond(503, 0, "{\"status\":503,\"error_code\":\"SERVICE_UNAVAILABLE\"}", -1);

        assertThat(run().problems()).isEqualTo(Map.of("HTTP 503", 20L));
    }

    @Test
    void aDeliveredCallIsASuccess() {
        LoadResult result = run();

        assertThat(result.ok()).isEqualTo(20);
        assertThat(result.problems()).isEmpty();
    }

    /** 20 calls in one second, all recorded; every answer is awaited, so the counts do not depend on timing. */
    private LoadResult run() {
        Traffic invoke = Traffic.governedInvoke("governed invoke, slack emulator", "127.0.0.1", router.port(),
                "a.jwt.token", List.of("agt_slack"));
        return new OpenLoopLoad(vertx, 4, Duration.ofSeconds(30))
                .run(invoke, 20, Duration.ZERO, Duration.ofSeconds(1), OpenLoopLoad.AnswerListener.NONE);
    }
}
