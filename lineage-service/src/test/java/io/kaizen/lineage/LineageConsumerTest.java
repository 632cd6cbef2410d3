package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.invocation;
import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageConsumerTest {

    @Inject
    InvocationEvents events;

    @Test
    void anInvocationEventBecomesItsLineageRow() {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        events.send(eventId, invocationId, invocation(invocationId, org));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("invocation_id", equalTo(invocationId))
                .body("organization_id", equalTo(org))
                .body("external_user_email", equalTo("jane@acme.example"))
                .body("external_system", equalTo("copilot"))
                .body("external_session_id", equalTo("sess-1"))
                .body("auth_subject", equalTo("dev-user"))
                .body("team_id", equalTo("team-9"))
                .body("external_agent_name", equalTo("Sales bot"))
                .body("trace_id", equalTo("0af7651916cd43dd8448eb211c80319c"))
                .body("parent_trace_id", equalTo("parent-trace"))
                .body("cost_usd", equalTo(0.05f))
                .body("duration_ms", equalTo(120))
                .body("status", equalTo("success")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .queryParam("subject", invocationId)
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].event_id", equalTo(eventId)));
    }

    /**
     * Both consumers' inserts are keyed by id, so without the processed-event record a redelivery would fail on the
     * key (a deterministic failure) and land in the dead-letter topic: the dedupe is what keeps it out.
     */
    @Test
    void aRedeliveredEventIsAppliedOnceAndNeverDeadLettered() {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        double deadLetteredBefore = InvocationEvents.deadLetteredCount();
        events.send(eventId, invocationId, invocation(invocationId, org));
        events.send(eventId, invocationId, invocation(invocationId, org));
        // a later event on the same partition: once both consumers recorded it, they are past the redelivery
        String markerId = PrefixedId.next(PrefixedId.INVOCATION);
        events.send(PrefixedId.next(PrefixedId.EVENT), markerId, invocation(markerId, org));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + markerId).then().statusCode(200);
            given().auth().oauth2(token(org)).when().get("/api/v1/audit")
                    .then().statusCode(200).body("total", equalTo(2));
        });
        given().auth().oauth2(token(org)).queryParam("subject", invocationId).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].event_id", equalTo(eventId));
        assertThat(InvocationEvents.deadLetters(eventId)).isEmpty();
        assertThat(InvocationEvents.deadLetteredCount()).isEqualTo(deadLetteredBefore);
    }

    @Test
    void lineageIsScopedToTheCallersOrganization() {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        events.send(PrefixedId.next(PrefixedId.EVENT), invocationId, invocation(invocationId, org));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + invocationId).then().statusCode(200));

        given().auth().oauth2(DevStackTestResource.stack().keys().token("org_other", List.of("org_owner"), "u", null,
                        Duration.ofMinutes(5)))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(DevStackTestResource.stack().keys().token(org, List.of("viewer"), "u", null,
                        Duration.ofMinutes(5)))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(403).contentType("application/problem+json");
    }
}
