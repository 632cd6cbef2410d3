package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.as;
import static io.kaizen.approval.ApprovalApi.connect;
import static io.kaizen.approval.ApprovalApi.internal;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.open;
import static io.kaizen.approval.ApprovalApi.workflow;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.security.ApiKeyFormat;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * What keeps the hand-off with the gateway trustworthy: a held call joins only a request nobody decided on yet, shown
 * with its own details; a join waits for a decision in flight; the requester's API keys count as the requester; and
 * governance can read what a request decided.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalTrustTest {

    private static ValidatableResponse openFor(String invocation, String org, String agent, String requester,
            String owner, String reason, String cost, String input) {
        return internal().body("""
                {"invocation_id": "%s", "organization_id": "%s", "agent_id": "%s", "requested_by": "%s",
                 "requested_by_owner": %s, "external_user_id": "ext-1", "trigger_reason": "%s",
                 "estimated_cost": %s, "payload_summary": "%s"}"""
                        .formatted(invocation, org, agent, requester, owner == null ? "null" : "\"" + owner + "\"",
                                reason, cost, input))
                .when().post("/internal/v1/approval-requests").then();
    }

    @Test
    void aJoinedCallIsShownWithItsOwnDetailsAndNoCallJoinsARequestSomeoneDecidedOn() {
        String org = newOrg();
        String agent = newAgent();
        workflow(org, agent, "{\"required_approvals\": 2}");
        String first = PrefixedId.next(PrefixedId.INVOCATION);
        String second = PrefixedId.next(PrefixedId.INVOCATION);
        String id = openFor(first, org, agent, "dev-1", null, "Cost threshold exceeded ($150.00 > $100.00)", "150",
                "first call").statusCode(201).extract().path("id");
        openFor(second, org, agent, "dev-1", null, "Sensitive data detected (ssn)", "7.5", "second call password=hunter2")
                .statusCode(200)
                .body("id", equalTo(id))
                .body("invocation_ids", contains(first, second))
                .body("invocations.invocation_id", contains(first, second))
                .body("invocations[0].trigger_reason", equalTo("Cost threshold exceeded ($150.00 > $100.00)"))
                .body("invocations[1].trigger_reason", equalTo("Sensitive data detected (ssn)"))
                .body("invocations[1].estimated_cost", equalTo(7.5f))
                .body("invocations[1].payload_summary", containsString("second call"))
                .body("invocations[1].payload_summary", not(containsString("hunter2")));

        // alice approved what she saw: the first two calls; a third is not slipped in under her approval
        approve(org, "alice", id).statusCode(200).body("status", equalTo("pending"));
        String third = PrefixedId.next(PrefixedId.INVOCATION);
        String other = openFor(third, org, agent, "dev-1", null, "Sensitive data detected (ssn)", "1", "third call")
                .statusCode(201).extract().path("id");
        assertThat(other).isNotEqualTo(id);
        as(org, "bob", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("invocation_ids", contains(first, second));
        // the new request is the one later calls join
        openFor(PrefixedId.next(PrefixedId.INVOCATION), org, agent, "dev-1", null, "Sensitive data detected (ssn)", "1",
                "fourth call").statusCode(200).body("id", equalTo(other));
    }

    @Test
    void aJoinWaitsForADecisionInFlightAndThenOpensARequestOfItsOwn() throws Exception {
        String org = newOrg();
        String agent = newAgent();
        String first = PrefixedId.next(PrefixedId.INVOCATION);
        String id = open(first, org, agent, "dev-1", "ext-1").statusCode(201).extract().path("id");
        String joining = PrefixedId.next(PrefixedId.INVOCATION);
        CompletableFuture<String> joined;
        try (Connection decision = connect()) {
            // a decision in flight: the request's row is locked and decided, not yet committed
            decision.setAutoCommit(false);
            try (Statement lock = decision.createStatement()) {
                lock.executeQuery("select id from approval_request where id = '" + id + "' for update").close();
                lock.executeUpdate("update approval_request set status = 'approved', approval_count = 1,"
                        + " decided_at = now() where id = '" + id + "'");
            }
            joined = CompletableFuture.supplyAsync(() -> open(joining, org, agent, "dev-1", "ext-1")
                    .extract().path("id"));
            // the join waits on the row lock rather than joining the request being decided
            await().atMost(Duration.ofSeconds(60)).until(() -> lockWaiters() > 0 || joined.isDone());
            assertThat(joined).isNotDone();
            decision.commit();
        }
        String joinedId = joined.get(60, TimeUnit.SECONDS);
        assertThat(joinedId).isNotEqualTo(id);
        as(org, "bob", "approver").when().get("/api/v1/approvals/" + id).then()
                .body("status", equalTo("approved"))
                .body("invocation_ids", contains(first));
        as(org, "bob", "approver").when().get("/api/v1/approvals/" + joinedId).then()
                .body("status", equalTo("pending"))
                .body("invocation_ids", contains(joining));
    }

    @Test
    void theRequestersApiKeysCountAsTheRequester() {
        String org = newOrg();
        String agent = newAgent();
        // a request made with a JWT: a key of the same user may not approve it
        String byUser = openFor(PrefixedId.next(PrefixedId.INVOCATION), org, agent, "dev-1", null, "Production", "1",
                "x").statusCode(201).extract().path("id");
        withKey(org, "dev-1").body("{}").when().post("/api/v1/approvals/" + byUser + "/approve").then()
                .statusCode(403).body("refusal", equalTo("self_approval"))
                .body("detail", equalTo("Cannot approve your own request"));
        withKey(org, "dev-1").body("{\"reason\": \"no\"}").when().post("/api/v1/approvals/" + byUser + "/reject")
                .then().statusCode(403).body("refusal", equalTo("self_approval"));

        // a request made with a key: its owner may not approve it with a JWT, nor with another key of theirs
        workflow(org, agent, "{\"required_approvals\": 2, \"approver_users\": [\"alice\"]}");
        String byKey = openFor(PrefixedId.next(PrefixedId.INVOCATION), org, agent, "key_1", "dev-2", "Production", "1",
                "y").statusCode(201).extract().path("id");
        approve(org, "dev-2", byKey).statusCode(403).body("refusal", equalTo("self_approval"));
        withKey(org, "dev-2").body("{}").when().post("/api/v1/approvals/" + byKey + "/approve").then()
                .statusCode(403).body("refusal", equalTo("self_approval"));

        // one approver, with a JWT and then with a key of theirs, counts once
        approve(org, "alice", byKey).statusCode(200).body("approval_count", equalTo(1));
        withKey(org, "alice").body("{}").when().post("/api/v1/approvals/" + byKey + "/approve").then()
                .statusCode(200).body("status", equalTo("pending")).body("approval_count", equalTo(1))
                .body("decided_by", equalTo("alice"));
        approve(org, "bob", byKey).statusCode(200).body("status", equalTo("approved"));
    }

    @Test
    void governanceReadsARequestOfAnyOrganisationWithTheServiceToken() {
        String org = newOrg();
        String agent = newAgent();
        String invocation = PrefixedId.next(PrefixedId.INVOCATION);
        String id = open(invocation, org, agent, "dev-1", "ext-1").statusCode(201).extract().path("id");
        internal().when().get("/internal/v1/approval-requests/" + id).then().statusCode(200)
                .body("organization_id", equalTo(org))
                .body("external_agent_id", equalTo(agent))
                .body("status", equalTo("pending"))
                .body("invocation_ids", contains(invocation));
        internal().when().get("/internal/v1/approval-requests/" + PrefixedId.next(PrefixedId.APPROVAL)).then()
                .statusCode(404).body("error_code", equalTo("NOT_FOUND"));
        given().when().get("/internal/v1/approval-requests/" + id).then().statusCode(401);
    }

    /** A caller with an API key created by {@code owner}: the registry stand-in answers its verification. */
    private static io.restassured.specification.RequestSpecification withKey(String org, String owner) {
        String keyId = PrefixedId.next("key");
        DevStackTestResource.stack().sink().respond(200, 0, """
                {"valid": true, "api_key_id": "%s", "organization_id": "%s", "team_id": null, "prefix": "sk_live_abcd",
                 "scopes": ["approvals:read", "approvals:approve"], "owner_id": "%s"}""".formatted(keyId, org, owner), 1);
        return given().header("X-API-Key", ApiKeyFormat.generate()).contentType(ContentType.JSON);
    }

    private static int lockWaiters() throws Exception {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()");
                ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
