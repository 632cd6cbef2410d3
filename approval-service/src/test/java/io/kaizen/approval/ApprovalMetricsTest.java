package io.kaizen.approval;

import static io.kaizen.approval.ApprovalApi.approve;
import static io.kaizen.approval.ApprovalApi.connect;
import static io.kaizen.approval.ApprovalApi.due;
import static io.kaizen.approval.ApprovalApi.newAgent;
import static io.kaizen.approval.ApprovalApi.newOrg;
import static io.kaizen.approval.ApprovalApi.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The approval metrics and health of original-spec §8.6: counters of created, approved, rejected and expired requests,
 * the decision latency, the pending gauge, and a health check that reports {@code degraded} above 100 pending.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "approval"))
class ApprovalMetricsTest {

    @Test
    void transitionsAreCountedAndTheDecisionLatencyRecorded() throws Exception {
        String org = newOrg();
        Map<String, Double> before = Map.of(
                "created", metric("approval_requests_created_total"),
                "approved", metric("approval_requests_approved_total"),
                "rejected", metric("approval_requests_rejected_total"),
                "expired", metric("approval_requests_expired_total"),
                "latency", metric("approval_latency_seconds_count"));
        String approved = opened(org, newAgent(), "dev-1");
        String rejected = opened(org, newAgent(), "dev-1");
        String expired = opened(org, newAgent(), "dev-1");
        approve(org, "alice", approved).statusCode(200);
        ApprovalApi.as(org, "alice", "approver").body("{\"reason\": \"no\"}").when()
                .post("/api/v1/approvals/" + rejected + "/reject").then().statusCode(200);
        due(expired);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(metric("approval_requests_expired_total")).isGreaterThanOrEqualTo(before.get("expired") + 1));

        assertThat(metric("approval_requests_created_total")).isGreaterThanOrEqualTo(before.get("created") + 3);
        assertThat(metric("approval_requests_approved_total")).isGreaterThanOrEqualTo(before.get("approved") + 1);
        assertThat(metric("approval_requests_rejected_total")).isGreaterThanOrEqualTo(before.get("rejected") + 1);
        assertThat(metric("approval_latency_seconds_count")).isGreaterThanOrEqualTo(before.get("latency") + 2);
        assertThat(metric("approval_latency_seconds_sum")).isGreaterThan(0);
    }

    @Test
    void theGaugeAndTheHealthCheckReportThePendingRequestsDegradedAbove100() throws Exception {
        long pending = pendingInDatabase();
        String org = newOrg();
        int added = (int) Math.max(0, 101 - pending);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonPath check = approvalsCheck();
                long now = pendingInDatabase();
                assertThat(check.getString("status")).isEqualTo("UP");
                assertThat(check.getLong("data.pending_count")).isEqualTo(now);
                assertThat(check.getString("data.status")).isEqualTo(now > 100 ? "degraded" : "healthy");
                assertThat(metric("pending_approvals_count")).isEqualTo((double) now);
            });
            insertPending(org, added);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonPath check = approvalsCheck();
                assertThat(check.getString("status")).isEqualTo("UP");
                assertThat(check.getString("data.status")).isEqualTo("degraded");
                assertThat(check.getLong("data.pending_count")).isGreaterThan(100);
                assertThat(metric("pending_approvals_count")).isGreaterThan(100);
            });
            given().when().get("/q/health/ready").then().statusCode(200);
        } finally {
            try (var db = connect(); PreparedStatement delete = db.prepareStatement(
                    "delete from approval_request where organization_id = ?")) {
                delete.setString(1, org);
                delete.executeUpdate();
            }
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(approvalsCheck().getString("data.status")).isEqualTo("healthy"));
    }

    /** The approvals check of the readiness report. */
    private static JsonPath approvalsCheck() {
        String health = given().when().get("/q/health/ready").then().extract().asString();
        return new JsonPath(health).setRootPath("checks.find { it.name == 'approvals' }");
    }

    private static void insertPending(String org, int count) throws Exception {
        try (var db = connect(); PreparedStatement insert = db.prepareStatement("""
                insert into approval_request (id, organization_id, agent_id, invocation_id, requested_by, status,
                    created_at, expires_at) values (?, ?, ?, ?, 'dev-1', 'pending', now(), ?)""")) {
            for (int i = 0; i < count; i++) {
                insert.setString(1, PrefixedId.next(PrefixedId.APPROVAL));
                insert.setString(2, org);
                insert.setString(3, newAgent());
                insert.setString(4, PrefixedId.next(PrefixedId.INVOCATION));
                insert.setTimestamp(5, Timestamp.from(Instant.now().plus(Duration.ofDays(1))));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static long pendingInDatabase() throws Exception {
        try (var db = connect(); PreparedStatement query = db.prepareStatement(
                "select count(*) from approval_request where status = 'pending'"); ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** A metric's value in the Prometheus text of {@code /q/metrics}; 0 when it has none yet. */
    static double metric(String name) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        // a sample may end with an exemplar (" # {trace_id=…} …") when it was recorded inside a traced request
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)(?: #.*)?$")
                .matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
