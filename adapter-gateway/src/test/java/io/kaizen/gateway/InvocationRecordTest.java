package io.kaizen.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.gateway.domain.Invocation;
import io.kaizen.gateway.service.InvocationRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;

/**
 * Invocation records are group-committed: concurrent invokes share transactions, each invoke is answered only once
 * the transaction holding its rows committed, and a failed transaction fails exactly its own callers. Batches are
 * made observable without timing by holding a lock the writer needs: while it waits, the other invokes queue up.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class InvocationRecordTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final Invoker caller = new Invoker();
    private final TestAgent agent = new TestAgent();

    @Inject
    InvocationRecorder recorder;
    @Inject
    MeterRegistry registry;

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    @Test
    void fiftyConcurrentInvokesAreAcceptedInAtMostTwoTransactionsAndEndWithTheirRows() throws Exception {
        String agentId = caller.agent(agent.url("/held"));
        List<CompletableFuture<HttpResponse<String>>> answers;
        double batchesBefore;
        try (Connection lock = database()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("lock table invocation in share mode");
            }
            answers = IntStream.range(0, 50).mapToObj(i -> invoke(agentId)).toList();
            // the first batch waits for the lock; every later invoke queues behind it
            await().atMost(Duration.ofSeconds(60)).until(() -> pending() == 50);
            assertThat(agent.hits("/held")).as("no agent is called before its call is stored as accepted").isEmpty();
            batchesBefore = batches();
            lock.rollback();
        }
        // the agent holds every call, so the accepted rows are all the writer has to do
        await().atMost(Duration.ofSeconds(60)).until(() -> agent.hits("/held").size() == 50);
        assertThat(batches() - batchesBefore).as("the one that met the lock, then all the others together")
                .isBetween(1.0, 2.0);
        assertThat(count("select count(*) from invocation where organization_id = ? and status = 'accepted'",
                caller.organizationId)).isEqualTo(50);
        assertThat(answers).as("no invoke is answered before its outcome is committed")
                .noneMatch(CompletableFuture::isDone);

        agent.release();
        List<String> ids = answers.stream().map(CompletableFuture::join).map(answer -> {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return new JsonObject(answer.body()).getString("invocation_id");
        }).toList();
        assertThat(ids).doesNotHaveDuplicates().hasSize(50);
        assertThat(count("select count(*) from invocation where organization_id = ? and status = 'success'",
                caller.organizationId)).isEqualTo(50);
        assertThat(count("select count(*) from invocation where organization_id = ?", caller.organizationId))
                .as("each final state replaced its accepted row").isEqualTo(50);
        assertThat(count("select count(*) from outbox_event where organization_id = ? and type = ?",
                caller.organizationId, EventTypes.INVOCATION_COMPLETED)).isEqualTo(50);
        assertThat(count("select count(distinct event_key) from outbox_event where organization_id = ?",
                caller.organizationId)).isEqualTo(50);
    }

    @Test
    void anInvokeIsAnsweredWithItsRowsAlreadyCommitted() throws SQLException {
        String agentId = caller.agent(agent.url("/ok"));

        String id = caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        // another connection sees only committed rows
        assertThat(count("select count(*) from invocation where id = ? and status = 'success'", id)).isEqualTo(1);
        assertThat(count("select count(*) from outbox_event where event_key = ? and type = ?", id,
                EventTypes.INVOCATION_COMPLETED)).isEqualTo(1);
    }

    /**
     * A call's final state is written over its accepted row, not in place of a deleted one: a delete trigger,
     * installed for this test only, records every row deleted from the table. The accepted row's trace (its creation
     * time) stays, and its prepared failure event is cleared.
     */
    @Test
    void aFinalStateIsWrittenOverItsAcceptedRowWithoutDeletingIt() throws Exception {
        String agentId = caller.agent(agent.url("/held"));
        try (Connection db = database(); Statement ddl = db.createStatement()) {
            ddl.execute("create table if not exists test_deleted_invocation (id text)");
            ddl.execute("create or replace function test_record_deleted_invocation() returns trigger"
                    + " language plpgsql as $$ begin insert into test_deleted_invocation values (old.id); return old;"
                    + " end $$");
            ddl.execute("drop trigger if exists test_deleted_invocation on invocation");
            ddl.execute("create trigger test_deleted_invocation before delete on invocation for each row"
                    + " execute function test_record_deleted_invocation()");
        }
        try {
            CompletableFuture<HttpResponse<String>> answer = invoke(agentId);
            await().atMost(Duration.ofSeconds(60)).until(() -> !agent.hits("/held").isEmpty());
            String id = text("select id from invocation where agent_id = ? and status = 'accepted'", agentId);
            String createdAt = text("select created_at::text from invocation where id = ?", id);

            agent.release();
            HttpResponse<String> done = answer.join();
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(text("select status from invocation where id = ?", id)).isEqualTo("success");
            assertThat(text("select created_at::text from invocation where id = ?", id)).isEqualTo(createdAt);
            assertThat(text("select coalesce(pending_event, 'none') from invocation where id = ?", id))
                    .isEqualTo("none");
            assertThat(count("select count(*) from test_deleted_invocation where id = ?", id))
                    .as("the accepted row was not deleted").isZero();
        } finally {
            try (Connection db = database(); Statement ddl = db.createStatement()) {
                ddl.execute("drop trigger if exists test_deleted_invocation on invocation");
                ddl.execute("drop function if exists test_record_deleted_invocation()");
                ddl.execute("drop table if exists test_deleted_invocation");
            }
        }
    }

    /** An allowed decision has no governance event of its own: its call's event is its record. */
    @Test
    void theInvocationEventRecordsTheAllowedDecisionWithItsPolicies() throws SQLException {
        String agentId = caller.agent(agent.url("/ok"));

        String id = caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");

        JsonObject governance = new JsonObject(text("select payload from outbox_event where event_key = ? and type = ?",
                id, EventTypes.INVOCATION_COMPLETED)).getJsonObject("governance");
        assertThat(governance.getString("decision")).isEqualTo("ALLOW");
        assertThat(governance.getString("decision_id")).startsWith("dec_");
        assertThat(governance.getString("matched_policy_id")).isEqualTo(InternalApiStandIn.ALLOWING_POLICY);
        assertThat(governance.getJsonArray("matched_policies").getList()).containsExactly(InternalApiStandIn.ALLOWING_POLICY);
        assertThat(governance.getJsonArray("policy_versions").getJsonObject(0).getMap())
                .containsEntry("policy_id", InternalApiStandIn.ALLOWING_POLICY).containsEntry("version", 3);
    }

    /**
     * The writer's first batch, an accepted invocation, waits on a row the test holds uncommitted under the same id;
     * two invokes and an invocation without a status (with its event) queue as the next batch. When the test
     * commits, the first batch fails on the key, the next one on the missing status, and each of their callers gets
     * the failure (the invokes their usual 500), with nothing of either batch stored; an invoke after them is stored
     * as usual.
     */
    @Test
    void aBatchThatFailsFailsEachOfItsCallersAndTheNextBatchIsStored() throws SQLException {
        String agentId = caller.agent(agent.url("/ok"));
        String takenId = PrefixedId.next(PrefixedId.INVOCATION);
        String brokenId = PrefixedId.next(PrefixedId.INVOCATION);
        CompletableFuture<Invocation> first;
        CompletableFuture<Invocation> broken;
        List<CompletableFuture<HttpResponse<String>>> invokes;
        try (Connection holder = database()) {
            holder.setAutoCommit(false);
            insertInvocation(holder, takenId);
            first = accept(takenId);
            await().atMost(Duration.ofSeconds(60)).until(() -> pending() == 1);
            invokes = List.of(invoke(agentId), invoke(agentId));
            broken = record(brokenId, null);
            await().atMost(Duration.ofSeconds(60)).until(() -> pending() == 4);
            holder.commit();
        }

        assertThat(first).failsWithin(Duration.ofSeconds(60));
        assertThat(broken).failsWithin(Duration.ofSeconds(60));
        for (CompletableFuture<HttpResponse<String>> invoke : invokes) {
            HttpResponse<String> answer = invoke.join();
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(500);
            assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(new JsonObject(answer.body()).getString("error_code")).isEqualTo("INTERNAL_ERROR");
        }
        assertThat(count("select count(*) from invocation where organization_id = ?", caller.organizationId))
                .as("nothing of the failed batch was stored").isZero();
        assertThat(count("select count(*) from outbox_event where event_key = ?", brokenId))
                .as("not even the event of the batch's final state, whose row failed").isZero();

        String next = caller.invoking().when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).extract().path("invocation_id");
        assertThat(count("select count(*) from invocation where id = ?", next)).isEqualTo(1);
    }

    private CompletableFuture<HttpResponse<String>> invoke(String agentId) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port
                        + "/api/v1/external-agents/" + agentId + "/invoke"))
                .header("Authorization", "Bearer " + caller.token())
                .header("Content-Type", "application/json")
                .header("X-External-User-ID", "ext-user-7")
                .header("X-External-User-Email", "jane.smith@company.example")
                .header("X-External-System", "copilot")
                .header("X-External-Session-ID", "copilot-session-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\": \"hello\"}"))
                .build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Stores an invocation of another organisation as accepted directly, as the invoke path would. */
    private CompletableFuture<Invocation> accept(String id) {
        Invocation invocation = invocation(id, Invocation.ACCEPTED);
        return recorder.accept(invocation).subscribeAsCompletionStage();
    }

    private static Invocation invocation(String id, String status) {
        Invocation invocation = new Invocation();
        invocation.id = id;
        invocation.organizationId = "org_other";
        invocation.agentId = PrefixedId.next(PrefixedId.AGENT);
        invocation.status = status;
        invocation.traceId = "0".repeat(32);
        invocation.createdAt = Instant.now();
        return invocation;
    }

    /** Records an invocation of another organisation directly, as the invoke path would. */
    private CompletableFuture<Invocation> record(String id, String status) {
        Invocation invocation = invocation(id, status);
        InvocationEvent event = new InvocationEvent(id, invocation.organizationId, invocation.status, null, null,
                null, null, null, null, null, null);
        return recorder.record(invocation, EventTypes.INVOCATION_COMPLETED, event).subscribeAsCompletionStage();
    }

    private static void insertInvocation(Connection db, String id) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("insert into invocation (id, organization_id, agent_id,"
                + " status, trace_id, created_at) values (?, 'org_other', 'agt_held', 'success', ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, "0".repeat(32));
            insert.setTimestamp(3, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private double batches() {
        return registry.get("kaizen.gateway.record.batches").counter().count();
    }

    private double pending() {
        return registry.get("kaizen.gateway.record.pending").gauge().value();
    }

    private static Connection database() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("gateway");
    }

    private static String text(String sql, String... parameters) throws SQLException {
        try (Connection db = database(); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static int count(String sql, String... parameters) throws SQLException {
        try (Connection db = database(); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
