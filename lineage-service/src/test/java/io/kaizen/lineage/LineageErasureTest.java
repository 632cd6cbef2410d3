package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.lineage.service.LineageErasure;
import io.kaizen.lineage.service.PersonalFields;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** A person's access to and erasure of what lineage and the audit log hold on them, within one organisation. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageErasureTest {

    @Inject
    InvocationEvents events;

    @Inject
    PersonalFields personal;

    @Test
    void erasureLeavesNoTraceOfTheAddressInLineageOrAuditAndTheChainStillVerifies() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String neighbour = "org_" + UUID.randomUUID();
        String address = "jane." + UUID.randomUUID() + "@acme.example";
        String userId = "ext-" + UUID.randomUUID();
        String withAddress = PrefixedId.next(PrefixedId.INVOCATION);
        String withIdOnly = PrefixedId.next(PrefixedId.INVOCATION);
        String neighbours = PrefixedId.next(PrefixedId.INVOCATION);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(withAddress, org, userId, address));
        // the same person named by id alone: their address is known from the other row
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(withIdOnly, org, userId, null));
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(neighbours, neighbour, userId, address));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (String id : List.of(withAddress, withIdOnly)) {
                given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id).then().statusCode(200);
            }
            given().auth().oauth2(token(neighbour)).when().get("/api/v1/lineage/" + neighbours).then().statusCode(200);
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().body("total", equalTo(2));
            given().auth().oauth2(token(neighbour)).when().get("/api/v1/audit").then().body("total", equalTo(1));
        });
        assertThat(mentions("lineage_record", org, address)).isEqualTo(1);
        assertThat(mentions("audit_personal_data", org, address)).isPositive();
        // pseudonymising the events left the address in the service's memory of recent values
        assertThat(personal.remembers(org, address)).isTrue();

        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/users/" + address.toUpperCase())
                .then().statusCode(200)
                .body("invocation_count", equalTo(2))
                .body("total_cost_usd", equalTo(0.10f))
                .body("audit_records_held", equalTo(1))
                .body("invocations.invocation_id", containsInAnyOrder(withAddress, withIdOnly));
        // another organisation cannot see or erase this organisation's person
        String stranger = "org_" + UUID.randomUUID();
        given().auth().oauth2(owner(stranger)).when().delete("/api/v1/lineage/users/" + address)
                .then().statusCode(204);
        assertThat(mentions("lineage_record", org, address)).isEqualTo(1);
        assertThat(mentions("audit_personal_data", org, address)).isPositive();
        given().auth().oauth2(token(stranger)).when().get("/api/v1/lineage/users/" + address)
                .then().statusCode(200).body("invocation_count", equalTo(0));

        given().auth().oauth2(owner(org)).when().delete("/api/v1/lineage/users/" + address)
                .then().statusCode(204);

        assertThat(personal.remembers(org, address)).isFalse();
        for (String table : List.of("lineage_record", "audit_event", "audit_personal_data", "audit_chain_head")) {
            assertThat(mentions(table, org, address)).as(table).isZero();
            assertThat(mentions(table, org, userId)).as(table).isZero();
            assertThat(mentions(table, org, "203.0.113.7")).as(table).isZero();
            assertThat(mentions(table, org, "jane-agent/1.0")).as(table).isZero();
        }
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + withIdOnly)
                .then().statusCode(200)
                .body("status", equalTo("success"))
                .body("cost_usd", equalTo(0.05f))
                .body("external_user_email", equalTo("[REDACTED]"))
                .body("request_headers", nullValue())
                .body("external_context", nullValue())
                .body("external_user_id", matchesPattern("\\[REDACTED-[0-9a-f]{8}]"));
        given().auth().oauth2(token(org)).queryParam("type", LineageErasure.ERASED).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1))
                .body("items[0].data.lineage_rows_erased", equalTo(2))
                .body("items[0].data.requested_by", equalTo("owner-1"));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(3));
        given().auth().oauth2(token(org)).when().get("/api/v1/lineage/users/" + address)
                .then().statusCode(200).body("invocation_count", equalTo(0)).body("audit_records_held", equalTo(0));
        // the neighbour's record of the same address is theirs to keep
        assertThat(mentions("lineage_record", neighbour, address)).isEqualTo(1);
        assertThat(mentions("audit_personal_data", neighbour, address)).isPositive();
    }

    @Test
    void eventsOfTheErasedPersonsPastArrivingAfterTheErasureBringNothingBackWhileTheirLaterCallsAreRecorded()
            throws Exception {
        String org = "org_" + UUID.randomUUID();
        String address = "jane." + UUID.randomUUID() + "@acme.example";
        String userId = "ext-" + UUID.randomUUID();
        String called = PrefixedId.next(PrefixedId.INVOCATION);
        String delayed = PrefixedId.next(PrefixedId.INVOCATION);
        InvocationEvent completed = event(called, org, userId, address);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, completed);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + called).then().statusCode(200);
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().body("total", equalTo(1));
        });
        given().auth().oauth2(owner(org)).when().delete("/api/v1/lineage/users/" + address).then().statusCode(204);
        String redactedId = given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + called)
                .then().statusCode(200).extract().path("external_user_id");

        // after the erasure: the outcome again under a new event id (a replay once processed ids have expired), the
        // invocation's accepted event arriving late, and another call of that past that was held up, named by id
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED, completed);
        InvocationEvent accepted = event(called, org, userId, address);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_ACCEPTED,
                new InvocationEvent(called, org, "pending", accepted.externalUser(), accepted.externalSystem(),
                        accepted.kaizenAuth(), accepted.agent(), null, accepted.request(), null, null));
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                event(delayed, org, userId, null));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + delayed).then().statusCode(200);
            // the first event, the erasure's record and the three events since
            given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().body("total", equalTo(5));
        });

        for (String table : List.of("lineage_record", "audit_event", "audit_personal_data", "audit_chain_head",
                "lineage_erasure")) {
            assertThat(mentions(table, org, address)).as(table).isZero();
            assertThat(mentions(table, org, userId)).as(table).isZero();
            assertThat(mentions(table, org, "203.0.113.7")).as(table).isZero();
            assertThat(mentions(table, org, "jane-agent/1.0")).as(table).isZero();
        }
        for (String id : List.of(called, delayed)) {
            given().auth().oauth2(token(org)).when().get("/api/v1/lineage/" + id)
                    .then().statusCode(200)
                    .body("status", equalTo("success"))
                    .body("external_user_id", equalTo(redactedId))
                    .body("request_headers", nullValue())
                    .body("ip_address", nullValue());
        }
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(5));

        // the person comes back after the erasure: a new call is new data, recorded as it comes
        String returned = PrefixedId.next(PrefixedId.INVOCATION);
        InvocationEvent later = event(returned, org, userId, address);
        events.sendAs(PrefixedId.next(PrefixedId.EVENT), EventTypes.INVOCATION_COMPLETED,
                new InvocationEvent(returned, org, "success", later.externalUser(), later.externalSystem(),
                        later.kaizenAuth(), later.agent(), null,
                        new InvocationEvent.RequestContext("203.0.113.7", "jane-agent/1.0", Instant.now()), null,
                        later.result()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org))
                .when().get("/api/v1/lineage/" + returned)
                .then().statusCode(200).body("external_user_email", equalTo(address)));
    }

    @Test
    void anErasureWaitsForAWriterMidTransactionAndThenErasesWhatItWrote() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String address = "jane." + UUID.randomUUID() + "@acme.example";
        String id = PrefixedId.next(PrefixedId.INVOCATION);
        ExecutorService requester = Executors.newSingleThreadExecutor();
        try (Connection writer = DevStackTestResource.stack().postgres().connect("lineage")) {
            // a lineage writer mid-transaction, as the consumer is: the organisation's erasure lock shared, a row
            // with the address written and not yet committed
            writer.setAutoCommit(false);
            try (PreparedStatement share = writer.prepareStatement(
                    "select cast(pg_advisory_xact_lock_shared(hashtext(?)) as text)");
                    PreparedStatement insert = writer.prepareStatement("insert into lineage_record (invocation_id,"
                            + " organization_id, status, external_agent_id, request_timestamp, created_at,"
                            + " external_user_email) values (?, ?, 'success', 'agt_1', now(), now(), ?)")) {
                share.setString(1, "lineage-erasure:" + org);
                share.executeQuery().close();
                insert.setString(1, id);
                insert.setString(2, org);
                insert.setString(3, address);
                insert.executeUpdate();
            }
            Future<Integer> erasure = requester.submit(() -> given().auth().oauth2(owner(org))
                    .when().delete("/api/v1/lineage/users/" + address).then().extract().statusCode());
            // the erasure waits for the writer's lock rather than erasing around the uncommitted row
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingAdvisoryLocks() > 0);
            writer.commit();
            assertThat(erasure.get(60, TimeUnit.SECONDS)).isEqualTo(204);
        } finally {
            requester.shutdownNow();
        }
        assertThat(mentions("lineage_record", org, address)).isZero();
    }

    private static long waitingAdvisoryLocks() throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement(
                        "select count(*) from pg_locks where locktype = 'advisory' and not granted");
                ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static InvocationEvent event(String id, String org, String userId, String address) {
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        return new InvocationEvent(id, org, "success",
                new InvocationEvent.ExternalUser(userId, address, address == null ? null : "Jane", null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", null,
                        address == null ? null : "{\"email\":\"" + address + "\"}"),
                new InvocationEvent.KaizenAuth("jwt", "dev-user", null, null, org, null),
                new InvocationEvent.Agent("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "Sales bot", "custom_http",
                        "https://agents.example.com", null),
                null,
                new InvocationEvent.RequestContext("203.0.113.7", "jane-agent/1.0", t,
                        Map.of("X-External-User-Email", address == null ? "-" : address, "X-External-User-ID", userId)),
                null,
                new InvocationEvent.Result(t.plusMillis(50), 50L, new java.math.BigDecimal("0.05"), 200, null, null));
    }

    private static String owner(String org) {
        return DevStackTestResource.stack().keys().token(org, List.of("org_owner"), "owner-1", null,
                Duration.ofMinutes(5));
    }

    /** How many rows of the organisation in the table hold the text, in any column and any case. */
    private static long mentions(String table, String org, String text) throws SQLException {
        try (Connection db = DevStackTestResource.stack().postgres().connect("lineage");
                PreparedStatement query = db.prepareStatement("select count(*) from " + table
                        + " t where organization_id = ? and t::text ilike ?")) {
            query.setString(1, org);
            query.setString(2, "%" + text + "%");
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
