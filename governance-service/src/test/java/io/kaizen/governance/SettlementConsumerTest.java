package io.kaizen.governance;

import static io.kaizen.governance.GovernanceApi.as;
import static io.kaizen.governance.GovernanceApi.decide;
import static io.kaizen.governance.GovernanceApi.newAgent;
import static io.kaizen.governance.GovernanceApi.newOrg;
import static io.kaizen.governance.GovernanceApi.outcome;
import static io.kaizen.governance.GovernanceApi.settings;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DeadLetterQueue;
import io.kaizen.devstack.DevStack;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/** The settlement consumer rides out a database outage and dead-letters what it can never read. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "governance"))
class SettlementConsumerTest {

    private static final String UNLIMITED_RATE = "\"requests_per_minute\": 1000, \"requests_per_hour\": 1000, \"requests_per_day\": 1000";
    private static final String INVOCATIONS = "kaizen.invocations.v1";

    /**
     * PostgreSQL stopped for 90 s, longer than the connector's 60 s stuck-record limit, while settlements arrive:
     * once it is back every reservation is settled, nothing was dead-lettered and the service is ready again. Decisions
     * of an agent whose configuration is cached go on meanwhile, in Redis, and their reservations reach the ledger
     * once it is back.
     */
    @Test
    void settlementsArrivingDuringANinetySecondDatabaseOutageAreAppliedOnceItIsBack() throws Exception {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String first = reserve(agent, org);
        String second = reserve(agent, org);
        String firstEvent = PrefixedId.next(PrefixedId.EVENT);
        String secondEvent = PrefixedId.next(PrefixedId.EVENT);

        String busy = newAgent();
        settings(busy, org, UNLIMITED_RATE);
        assertThat(outcome(busy, org, "")).isEqualTo("ALLOW");

        DevStack stack = DevStackTestResource.stack();
        Instant stopped = Instant.now();
        stack.stopPostgres();
        try {
            settle(firstEvent, agent, org, first, "0.03");
            Thread.sleep(45_000);
            assertThat(outcome(busy, org, "")).isEqualTo("ALLOW");
            settle(secondEvent, agent, org, second, "0.04");
            Thread.sleep(Math.max(0, Duration.ofSeconds(90).minus(Duration.between(stopped, Instant.now())).toMillis()));
        } finally {
            stack.startPostgres();
        }

        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200)
                .body("cost_used", equalTo(0.07f))
                .body("invocations", equalTo(2))
                .body("cost_reserved", equalTo(0.0f)));
        await().atMost(Duration.ofSeconds(60)).until(() -> Ledger.reservationCount(busy) == 2);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/q/health/ready")
                .then().statusCode(200).body("status", equalTo("UP")));
        assertThat(deadLetters().stream().map(DeadLetterQueue.DeadLetter::eventId))
                .doesNotContain(firstEvent, secondEvent);
    }

    @Test
    void aSettlementThatCannotBeReadIsDeadLetteredAndTheNextOneIsApplied() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String reservation = reserve(agent, org);
        // both events of one invocation: same key, same partition, so the poison stands right before the settlement
        // and only dead-lettering it at once (not retrying it for minutes) lets the settlement through
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String poison = PrefixedId.next(PrefixedId.EVENT);
        Ledger.publishInvocation(poison, EventTypes.INVOCATION_COMPLETED, org, invocation,
                "{\"invocation_id\": \"" + invocation + "\", \"result\": {\"cost_usd\": \"a lot\"}}");
        settle(PrefixedId.next(PrefixedId.EVENT), invocation, agent, org, reservation, "0.02");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.02f)));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(deadLetters()).filteredOn(letter -> poison.equals(letter.eventId()))
                        .singleElement().satisfies(letter -> {
                            assertThat(letter.consumer()).isEqualTo("governance.settlement");
                            assertThat(letter.topic()).isEqualTo(INVOCATIONS);
                            assertThat(letter.reason()).contains("has unreadable data");
                        }));
    }

    /**
     * The end of a callback's delivery comes on the invocations topic after the call's outcome, or, for a call still
     * running, never settles it: read as an outcome it would look like a refusal without a decision and release the
     * reservation. It is passed over, and the call's own outcome settles it.
     */
    @Test
    void theEndOfACallbacksDeliveryIsNoOutcomeAndLeavesTheReservationToTheCallsOwnEvent() {
        String agent = newAgent();
        String org = newOrg();
        settings(agent, org, UNLIMITED_RATE);
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String reservation = decide(invocation, agent, org, "\"estimated_cost\": 0.05").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_DELIVERY_SETTLED, org,
                invocation, "{\"delivery_id\": \"dlv_1\", \"invocation_id\": \"" + invocation
                        + "\", \"organization_id\": \"" + org + "\", \"agent_id\": \"" + agent
                        + "\", \"kind\": \"callback\", \"status\": \"delivered\", \"attempts\": 1}");
        // a later event of the same key settles another call: once it is applied, the delivery's event was read
        String other = reserve(agent, org);
        Ledger.publishInvocation(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(PrefixedId.next(PrefixedId.INVOCATION), org, agent, "u1", other, "0.01"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.01f)).body("cost_reserved", equalTo(0.05f)));

        settle(PrefixedId.next(PrefixedId.EVENT), invocation, agent, org, reservation, "0.02");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> as(org, "viewer")
                .when().get("/api/v1/external-agents/" + agent + "/budget")
                .then().statusCode(200).body("cost_used", equalTo(0.03f)).body("cost_reserved", equalTo(0.0f)));
    }

    private static String reserve(String agent, String org) {
        return decide(agent, org, "\"estimated_cost\": 0.05").body("outcome", equalTo("ALLOW"))
                .extract().path("reservation_id");
    }

    private static void settle(String eventId, String agent, String org, String reservation, String cost) {
        settle(eventId, PrefixedId.next(PrefixedId.INVOCATION), agent, org, reservation, cost);
    }

    private static void settle(String eventId, String invocation, String agent, String org, String reservation,
            String cost) {
        Ledger.publishInvocation(eventId, EventTypes.INVOCATION_COMPLETED, org, invocation,
                Ledger.invocationData(invocation, org, agent, "u1", reservation, cost));
    }

    private static List<DeadLetterQueue.DeadLetter> deadLetters() {
        return new DeadLetterQueue(DevStackTestResource.stack().kafkaBootstrap()).list(INVOCATIONS);
    }
}
