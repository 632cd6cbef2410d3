package io.kaizen.approval;

import static io.restassured.RestAssured.given;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** Calls of the approval API and reads of its database shared by the service tests. */
final class ApprovalApi {

    private ApprovalApi() {
    }

    static String newOrg() {
        return "org_" + UUID.randomUUID();
    }

    static String newAgent() {
        return PrefixedId.next(PrefixedId.AGENT);
    }

    static RequestSpecification internal() {
        return given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .contentType(ContentType.JSON);
    }

    /** A caller of this organisation with these roles, whose JWT subject is {@code subject}. */
    static RequestSpecification as(String org, String subject, String... roles) {
        String token = DevStackTestResource.stack().keys().token(org, List.of(roles), subject, "team-1",
                Duration.ofMinutes(15));
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    /** The gateway's request for a held invocation of {@code requester} (external user {@code user}). */
    static ValidatableResponse open(String invocation, String org, String agent, String requester, String user) {
        return internal().body("""
                {"invocation_id": "%s", "organization_id": "%s", "agent_id": "%s", "requested_by": "%s",
                 "requested_by_team": "team-1", "external_user_id": "%s",
                 "trigger_reason": "Cost threshold exceeded ($150.00 > $100.00)", "estimated_cost": 150.00,
                 "payload_summary": "Summarise the contract, password=hunter2 Bearer abc.def"}"""
                        .formatted(invocation, org, agent, requester, user))
                .when().post("/internal/v1/approval-requests").then();
    }

    /** The gateway's request for a held invocation of {@code requester}, who holds {@code roles} (a JSON array). */
    static ValidatableResponse openWithRoles(String org, String agent, String requester, String roles) {
        return internal().body("""
                {"invocation_id": "%s", "organization_id": "%s", "agent_id": "%s", "requested_by": "%s",
                 "requested_by_roles": %s, "trigger_reason": "First invocation"}"""
                        .formatted(PrefixedId.next(PrefixedId.INVOCATION), org, agent, requester, roles))
                .when().post("/internal/v1/approval-requests").then();
    }

    /** Opens a request for a fresh invocation and returns its id. */
    static String opened(String org, String agent, String requester) {
        return open(PrefixedId.next(PrefixedId.INVOCATION), org, agent, requester, "ext-" + UUID.randomUUID())
                .statusCode(201).extract().path("id");
    }

    static void workflow(String org, String scope, String body) {
        as(org, "admin-" + org, "org_admin").body(body).when().put("/api/v1/approval-workflows/" + scope)
                .then().statusCode(200);
    }

    static ValidatableResponse approve(String org, String approver, String request) {
        return as(org, approver, "approver").body("{}").when().post("/api/v1/approvals/" + request + "/approve").then();
    }

    /** The types of the events recorded for a request, in order. */
    static List<String> events(String request) throws SQLException {
        List<String> types = new ArrayList<>();
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(
                "select type from outbox_event where event_key = ? order by occurred_at, id")) {
            query.setString(1, request);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    types.add(rows.getString(1));
                }
            }
        }
        return types;
    }

    /** Moves a request's due time into the past, as if it fell due while no replica ran. */
    static void due(String request) throws SQLException {
        try (Connection db = connect(); PreparedStatement update = db.prepareStatement(
                "update approval_request set expires_at = ? where id = ?")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(60)));
            update.setString(2, request);
            update.executeUpdate();
        }
    }

    /** The data of the first event of this type recorded for a request, as JSON text; null when there is none. */
    static String payload(String request, String type) throws SQLException {
        try (Connection db = connect(); PreparedStatement query = db.prepareStatement(
                "select payload from outbox_event where event_key = ? and type = ? order by occurred_at, id")) {
            query.setString(1, request);
            query.setString(2, type);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /**
     * Moves a request's timer ({@code escalate_at} or {@code next_reminder_at}) into the past, as if it fell due
     * {@code minutesAgo} minutes ago while no replica ran; a timer that is not set stays unset.
     */
    static void timerDue(String request, String column, int minutesAgo) throws SQLException {
        try (Connection db = connect(); PreparedStatement update = db.prepareStatement(
                "update approval_request set " + column + " = ? where id = ? and " + column + " is not null")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minusSeconds(60L * minutesAgo)));
            update.setString(2, request);
            update.executeUpdate();
        }
    }

    static Connection connect() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("approval");
    }

    /** Runs the calls released together by a barrier and returns their results in order. */
    static <T> List<T> together(List<Callable<T>> calls) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(calls.size());
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> call : calls) {
                futures.add(pool.submit(() -> {
                    barrier.await(60, TimeUnit.SECONDS);
                    return call.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
