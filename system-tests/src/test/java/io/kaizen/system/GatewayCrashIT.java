package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.ProjectLayout;
import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.restassured.http.ContentType;

/**
 * A gateway killed right after it answered loses nothing: the invocation it answered was committed with its event
 * before the answer, so another gateway's outbox relay publishes it and lineage records it. The killed replica's own
 * relay never runs (no poll before an hour, no listening), so only the shared database can carry the event on.
 */
class GatewayCrashIT {

    private static final Suite SUITE = Suite.get();
    private static ServiceLauncher replica;

    @BeforeAll
    static void startAReplicaThatNeverRelays() {
        replica = ServiceLauncher.start(SUITE.stack, ProjectLayout.locate(), Service.GATEWAY, Suite.freePort(),
                Path.of("target", "replica-logs", "gateway-crash").toAbsolutePath(),
                Map.of("kaizen.outbox.start-delay", "1h", "kaizen.outbox.poll-interval", "1h",
                        "kaizen.outbox.listen", "false"));
        replica.awaitReady(ServiceLauncher.READY_TIMEOUT);
    }

    @AfterAll
    static void restoreTheSuitesGateway() {
        if (replica.isAlive()) {
            replica.crash();
        }
        // starting the replica pointed the router at it; the suite's own gateway answers again
        SUITE.stack.registerService(Service.GATEWAY, URI.create(SUITE.serviceUrl(Service.GATEWAY)));
    }

    @Test
    void anInvocationAnsweredJustBeforeTheGatewayIsKilledStillReachesLineage() {
        String org = Suite.newOrg();
        String token = SUITE.token(org, "org_owner");
        String agentId = SUITE.registerAgent(token, "Crash Test Bot");

        String invocationId = given().baseUri(replica.url()).auth().oauth2(token).contentType(ContentType.JSON)
                .header("X-External-User-ID", "ext-user-7")
                .header("X-External-User-Email", "jane.smith@company.example")
                .header("X-External-System", "copilot")
                .header("X-External-Session-ID", "copilot-session-1")
                .body("{\"input\": \"hello\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");
        replica.crash();
        assertThat(replica.isAlive()).isFalse();

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> SUITE.as(token)
                        .when().get("/api/v1/lineage/" + invocationId)
                        .then().statusCode(200)
                        .body("invocation_id", equalTo(invocationId))
                        .body("external_agent_id", equalTo(agentId))
                        .body("status", equalTo("success")));
    }
}
