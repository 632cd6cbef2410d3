package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.lineage.service.LineageRetention;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;

/** The retention purge: lineage and the audit log's personal data older than 90 days go, the chain still verifies. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageRetentionTest {

    @Inject
    InvocationEvents events;

    @Inject
    LineageRetention retention;

    @Test
    void rowsAndPersonalDataBeyondTheRetentionArePurgedByTwoReplicasAtOnceAndTheChainStillVerifies() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String oldAddress = "old." + UUID.randomUUID() + "@acme.example";
        String newAddress = "new." + UUID.randomUUID() + "@acme.example";
        Instant longAgo = Instant.now().minus(Duration.ofDays(91));
        Instant lately = Instant.now().minus(Duration.ofDays(89));
        String old = PrefixedId.next(PrefixedId.INVOCATION);
        String recent = PrefixedId.next(PrefixedId.INVOCATION);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(old, org, oldAddress, longAgo), longAgo);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(recent, org, newAddress, lately), lately);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage").then().body("total", equalTo(2));
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().body("total", equalTo(2));
        });
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/users/" + oldAddress)
                .then().body("invocation_count", equalTo(1)).body("audit_records_held", equalTo(1));

        // two replicas purge at the same moment: each batch skips what the other holds, neither fails
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService replicas = Executors.newFixedThreadPool(2);
        try {
            List<Future<LineageRetention.Purged>> purges = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                purges.add(replicas.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    try {
                        return VertxContextSupport.subscribeAndAwait(retention::purge);
                    } catch (Throwable e) {
                        throw new IllegalStateException("a purge failed", e);
                    }
                }));
            }
            int rows = 0;
            for (Future<LineageRetention.Purged> purge : purges) {
                rows += purge.get(120, TimeUnit.SECONDS).lineageRows();
            }
            assertThat(rows).isPositive();
        } finally {
            replicas.shutdownNow();
        }

        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + old).then().statusCode(404);
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + recent).then().statusCode(200);
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/users/" + oldAddress)
                .then().body("invocation_count", equalTo(0)).body("audit_records_held", equalTo(0));
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/users/" + newAddress)
                .then().body("invocation_count", equalTo(1)).body("audit_records_held", equalTo(1));
        // the chained records stay, the old one without its personal data
        given().auth().oauth2(token(org)).when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("total", equalTo(2))
                .body("items.find { it.seq == 1 }.personal_data", empty())
                .body("items.find { it.seq == 2 }.personal_data", not(empty()));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(2));
    }

    private static InvocationEvent event(String id, String org, String address, Instant at) {
        return new InvocationEvent(id, org, "success",
                new InvocationEvent.ExternalUser("ext-" + UUID.randomUUID(), address, "Jane", null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", null, null),
                new InvocationEvent.KaizenAuth("jwt", "dev-user", null, null, org, null),
                new InvocationEvent.Agent("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "Sales bot", "custom_http",
                        "https://agents.example.com", null),
                null,
                new InvocationEvent.RequestContext("203.0.113.7", "jane-agent/1.0", at),
                null,
                new InvocationEvent.Result(at.plusMillis(50), 50L, new BigDecimal("0.05"), 200, null, null));
    }
}
