package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.settings;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * A decision whose caller hangs up (the gateway's client timing out, say) is still carried to its end: its hold is
 * given back or kept as decided and its event is journaled, so every decision stays audited. The decision is held
 * mid-way, after its hold and before its first-invocation trigger has read who has used the agent, by a lock on that
 * table; the caller's connection is closed meanwhile.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class AbandonedDecisionTest {

    @Test
    void aDecisionWhoseCallerHangsUpIsStillDecidedAndAudited() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        settings(agent, org, "\"requests_per_minute\": 1000, \"requests_per_hour\": 10000, \"requests_per_day\": 10000");
        as(org, "org_admin").body("{\"approval_triggers\": {\"require_first_invocation\": true}}")
                .when().patch("/api/v1/external-agents/" + agent + "/governance").then().statusCode(200);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String body = "{\"invocation_id\": \"" + invocation + "\", \"organization_id\": \"" + org
                + "\", \"agent_id\": \"" + agent + "\", \"user_id\": \"frank\", \"roles\": [\"developer\"]}";

        try (Connection holder = Ledger.connect()) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("lock table agent_user_seen in access exclusive mode");
            }
            try (Socket caller = RawHttp.send(RestAssured.port, "POST", "/internal/v1/decisions",
                    Map.of("Content-Type", "application/json",
                            "X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken()), body)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.waitingForLocks() >= 1);
            }
            // the service sees the connection closed while the decision waits
            Thread.sleep(1_000);
            holder.commit();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.outboxPayloads(agent, EventTypes.DECISION_EVALUATED)
                .stream().anyMatch(payload -> payload.contains(invocation)));
    }
}
