package io.kaizen.lineage;

import static io.kaizen.lineage.InvocationEvents.invocation;
import static io.kaizen.lineage.InvocationEvents.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.AgentEvent;
import io.kaizen.common.events.ApprovalEvent;
import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.GovernanceDecisionEvent;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.common.outbox.ProcessedEvents;
import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.kaizen.lineage.service.AuditLog;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;

/**
 * The audit log as a hash chain per organisation. Events are appended the way the audit consumer appends a batch
 * ({@link ProcessedEvents#onceEach} with {@link AuditLog#append}), so tests choose the organisation, the order and the
 * concurrency; what is read back comes from the API, PostgreSQL and the {@code kaizen.audit.v1} topic.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class AuditChainTest {

    private static final String GENESIS = "0".repeat(64);

    @Inject
    ProcessedEvents processed;
    @Inject
    AuditLog audit;
    @Inject
    ObjectMapper mapper;

    @Test
    void eventsAreChainedInOrderWithHashesOverTheirDocumentedCanonicalForm() throws Exception {
        String org = "org_" + UUID.randomUUID();
        List<CloudEvent> events = List.of(invocationEvent(org, "jane@acme.example"), decisionEvent(org, "ext-42"),
                invocationEvent(org, "bob@acme.example"));
        append(events);

        JsonPath page = given().auth().oauth2(token(org)).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(3)).extract().jsonPath();
        String prev = GENESIS;
        for (int i = 0; i < 3; i++) {
            Map<String, Object> item = page.getMap("items[" + i + "]");
            assertThat(item.get("seq")).isEqualTo(i + 1);
            assertThat(item.get("event_id")).isEqualTo(events.get(i).id());
            assertThat(item.get("prev_hash")).isEqualTo(prev);
            String data = dbData(org, i + 1);
            assertThat(item.get("hash")).isEqualTo(canonicalHash(org, i + 1, events.get(i), item, data, prev));
            prev = (String) item.get("hash");
        }
        // the chained data holds pseudonyms; the values are beside it while they are held
        assertThat(dbData(org, 1)).doesNotContain("jane@acme.example", "203.0.113.7", "curl/8", "ext-42")
                .contains("\"email\":\"psn_");
        assertThat(page.getString("items[0].data.external_user.email")).startsWith("psn_").hasSize(68);
        assertThat(page.getString("items[0].data.agent.name")).isEqualTo("Sales bot");
        assertThat(page.getString("items[0].agent_id")).isEqualTo("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF");
        assertThat(page.getList("items[0].personal_data.value")).contains("jane@acme.example", "Jane", "ext-42",
                "203.0.113.7", "curl/8", "{\"tenant\":\"jane-co\"}");
        assertThat(page.getString("items[1].data.user_id"))
                .isEqualTo(page.getString("items[0].data.external_user.id"));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(3))
                .body("first_broken_seq", nullValue());
    }

    /** Eight appenders of one organisation released at once, as replicas consuming different partitions would be. */
    @Test
    void theRequesterDecidersAndExternalUserOfAnApprovalEventAreHeldApartFromTheChain() throws Exception {
        String org = "org_" + UUID.randomUUID();
        ApprovalEvent data = new ApprovalEvent("apr_1", org, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", List.of("inv_1"),
                "approved", "jane@acme.example", "ext-42", "First invocation", null, 1, 1, "approve",
                "alice@acme.example", "fine", List.of("alice@acme.example"), List.of(),
                Instant.parse("2026-11-28T10:00:00Z"), Instant.parse("2026-11-29T10:00:00Z"),
                Instant.parse("2026-11-28T10:05:00Z"), null, 0);
        append(List.of(new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/approval-service",
                EventTypes.APPROVAL_APPROVED, "apr_1", org, nextTime(), json(data))));

        assertThat(dbData(org, 1)).doesNotContain("jane@acme.example", "ext-42", "alice@acme.example")
                .contains("\"requested_by_user_id\":\"psn_", "\"decided_by\":\"psn_", "\"approvers\":[\"psn_")
                .contains("\"trigger_reason\":\"First invocation\"");
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true));
    }

    @Test
    void concurrentAppendsOfOneOrganizationNeitherForkNorLeaveGaps() throws Exception {
        String org = "org_" + UUID.randomUUID();
        int appenders = 8;
        int perBatch = 5;
        CyclicBarrier start = new CyclicBarrier(appenders);
        ExecutorService pool = Executors.newFixedThreadPool(appenders);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int a = 0; a < appenders; a++) {
                List<CloudEvent> batch = new ArrayList<>();
                for (int i = 0; i < perBatch; i++) {
                    batch.add(invocationEvent(org, "user" + a + "@acme.example"));
                }
                done.add(pool.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    append(batch);
                    return null;
                }));
            }
            for (Future<?> appended : done) {
                appended.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<Long> seqs = new ArrayList<>();
        try (Connection db = db(); PreparedStatement query = db.prepareStatement(
                "select seq from audit_event where organization_id = ? order by seq")) {
            query.setString(1, org);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
            }
        }
        assertThat(seqs).hasSize(appenders * perBatch);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(i + 1L);
        }
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(40));
    }

    @Test
    void aRedeliveredEventChangesNothingInTheChain() throws Exception {
        String org = "org_" + UUID.randomUUID();
        CloudEvent first = invocationEvent(org, "jane@acme.example");
        CloudEvent second = invocationEvent(org, "jane@acme.example");
        append(List.of(first, second));
        String before = given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().statusCode(200)
                .extract().asString();

        // the same ids again, one of them carrying other data, with a new event behind them
        CloudEvent altered = new CloudEvent(second.id(), second.source(), second.type(), second.subject(), org,
                second.time(), json(invocation(second.subject(), org, "other-agent/1")));
        CloudEvent third = invocationEvent(org, "jane@acme.example");
        append(List.of(first, altered, third));

        JsonPath after = given().auth().oauth2(token(org)).when().get("/api/v1/audit").then().statusCode(200)
                .body("total", equalTo(3)).body("items[2].seq", equalTo(3))
                .body("items[2].event_id", equalTo(third.id())).extract().jsonPath();
        JsonPath earlier = JsonPath.from(before);
        for (int i = 0; i < 2; i++) {
            assertThat(after.getMap("items[" + i + "]")).isEqualTo(earlier.getMap("items[" + i + "]"));
        }
        assertThat(after.getString("items[2].prev_hash")).isEqualTo(earlier.getString("items[1].hash"));
        assertThat(after.getList("items[1].personal_data.value")).doesNotContain("other-agent/1");
    }

    @Test
    void changingARecordsDataInPostgresqlIsReportedAtItsSeq() throws Exception {
        String org = chainOfFive();
        update(org, "update audit_event set data = replace(data, 'Sales bot', 'Sales b0t') where organization_id = ? and seq = 3");
        assertBrokenAt(org, 3);
    }

    @Test
    void changingARecordsHashInPostgresqlIsReportedAtItsSeq() throws Exception {
        String org = chainOfFive();
        update(org, "update audit_event set hash = repeat('a', 64) where organization_id = ? and seq = 2");
        assertBrokenAt(org, 2);
    }

    @Test
    void changingARecordsPrevHashInPostgresqlIsReportedAtItsSeq() throws Exception {
        String org = chainOfFive();
        update(org, "update audit_event set prev_hash = repeat('b', 64) where organization_id = ? and seq = 4");
        assertBrokenAt(org, 4);
    }

    @Test
    void changingARecordsTypeOrTimeInPostgresqlIsReportedAtItsSeq() throws Exception {
        String org = chainOfFive();
        update(org, "update audit_event set occurred_at = occurred_at + interval '1 second' where organization_id = ? and seq = 1");
        assertBrokenAt(org, 1);
        String other = chainOfFive();
        update(other, "update audit_event set type = 'kaizen.invocation.failed.v1' where organization_id = ? and seq = 5");
        assertBrokenAt(other, 5);
    }

    @Test
    void deletingARecordInPostgresqlIsReportedAtItsSeq() throws Exception {
        String org = chainOfFive();
        update(org, "delete from audit_event where organization_id = ? and seq = 3");
        assertBrokenAt(org, 3);
        String last = chainOfFive();
        update(last, "delete from audit_event where organization_id = ? and seq = 5");
        assertBrokenAt(last, 5);
    }

    @Test
    void erasingAPersonRemovesTheirDataFromTheAuditTablesAndTheChainStillVerifies() throws Exception {
        String org = "org_" + UUID.randomUUID();
        append(List.of(invocationEvent(org, "jane@acme.example"), decisionEvent(org, "ext-42"),
                invocationEvent(org, "bob@acme.example"), invocationEvent(org, "jane@acme.example"),
                agentEvent(org, "Jane@Acme.example")));
        String other = "org_" + UUID.randomUUID();
        append(List.of(invocationEvent(other, "jane@acme.example")));
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(5));

        long erased;
        try {
            erased = VertxContextSupport.subscribeAndAwait(() -> audit.erase(org, "Jane@ACME.example"));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }

        // jane's two invocations, the decision naming her external id, found through them, and her change of an agent
        assertThat(erased).isEqualTo(4);
        for (String trace : List.of("jane", "ext-42", "203.0.113.7", "curl/8")) {
            assertThat(mentions(org, trace)).as(trace).isZero();
        }
        assertThat(mentions(org, "bob@acme.example")).isEqualTo(1);
        assertThat(mentions(other, "jane@acme.example")).isEqualTo(1);
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(5));
        given().auth().oauth2(token(org)).queryParam("from_seq", 1).queryParam("to_seq", 1).when().get("/api/v1/audit")
                .then().statusCode(200).body("items[0].personal_data", equalTo(List.of()))
                .body("items[0].data.external_user.email", startsWith("psn_"));
    }

    @Test
    void listAndVerifyAreScopedToTheCallersOrganization() throws Exception {
        String org = chainOfFive();
        String stranger = "org_" + UUID.randomUUID();
        append(List.of(invocationEvent(stranger, "eve@other.example")));
        update(org, "update audit_event set data = null where organization_id = ? and seq = 2");

        given().auth().oauth2(token(stranger)).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].data.external_user.email",
                        startsWith("psn_"));
        given().auth().oauth2(token(stranger)).queryParam("subject", dbSubject(org, 1)).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(token(stranger)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(1));
        assertBrokenAt(org, 2);
        given().auth().oauth2(DevStackTestResource.stack().keys().token(org, List.of("viewer"), "u", null,
                        Duration.ofMinutes(5)))
                .when().get("/api/v1/audit/verify")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void filtersAndKeysetPagingSelectRecords() throws Exception {
        String org = "org_" + UUID.randomUUID();
        append(List.of(invocationEvent(org, "a@acme.example"), decisionEvent(org, "ext-1"),
                invocationEvent(org, "b@acme.example"), invocationEvent(org, "c@acme.example")));
        String token = token(org);
        given().auth().oauth2(token).queryParam("type", EventTypes.DECISION_DENIED).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].seq", equalTo(2));
        given().auth().oauth2(token).queryParam("agent_id", "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF").when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(4));
        given().auth().oauth2(token).queryParam("agent_id", "agt_other").when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(token).queryParam("from_seq", 2).queryParam("to_seq", 3).when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(2)).body("items.seq", equalTo(List.of(2, 3)));
        given().auth().oauth2(token).queryParam("from", "2026-11-28T10:00:01Z").queryParam("to", "2026-11-28T10:00:03Z")
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("items.seq", equalTo(List.of(2, 3)));
        given().auth().oauth2(token).queryParam("limit", 3).when().get("/api/v1/audit")
                .then().statusCode(200).body("items.seq", equalTo(List.of(1, 2, 3))).body("has_more", equalTo(true))
                .body("next_after_seq", equalTo(3));
        given().auth().oauth2(token).queryParam("limit", 3).queryParam("after_seq", 3).when().get("/api/v1/audit")
                .then().statusCode(200).body("items.seq", equalTo(List.of(4))).body("has_more", equalTo(false))
                .body("next_after_seq", nullValue());
    }

    @Test
    void badFiltersAreProblems() {
        String token = token("org_" + UUID.randomUUID());
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("from", "yesterday");
        bad.put("to", "2026-13-01T00:00:00Z");
        bad.put("from_seq", "0");
        bad.put("to_seq", "x");
        bad.put("after_seq", "-1");
        bad.put("limit", "1000");
        for (Map.Entry<String, String> filter : bad.entrySet()) {
            given().auth().oauth2(token).queryParam(filter.getKey(), filter.getValue()).when().get("/api/v1/audit")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("detail", containsString("'" + filter.getKey() + "'"));
        }
        given().auth().oauth2(token).queryParam("after_seq", 3).queryParam("page", 2).when().get("/api/v1/audit")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(token).queryParam("from", "2026-11-28T10:00:03Z").queryParam("to", "2026-11-28T10:00:01Z")
                .when().get("/api/v1/audit")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(token).queryParam("from_seq", 5).queryParam("to_seq", 2).when().get("/api/v1/audit")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void eachRecordIsPublishedToTheAuditTopicKeyedByItsOrganization() throws Exception {
        String org = "org_" + UUID.randomUUID();
        append(List.of(invocationEvent(org, "jane@acme.example"), decisionEvent(org, "ext-42"),
                invocationEvent(org, "bob@acme.example")));

        List<ConsumerRecord<String, String>> published = TopicReader.await(
                DevStackTestResource.stack().kafkaBootstrap(), "kaizen.audit.v1", r -> org.equals(r.key()), 3,
                Duration.ofSeconds(60));
        assertThat(published).hasSize(3);
        String prev = GENESIS;
        for (int i = 0; i < 3; i++) {
            ConsumerRecord<String, String> record = published.get(i);
            assertThat(TopicReader.header(record, "ce_type")).isEqualTo(EventTypes.AUDIT_RECORDED);
            assertThat(TopicReader.header(record, "ce_organizationid")).isEqualTo(org);
            assertThat(record.value()).doesNotContain("jane", "bob", "203.0.113.7");
            JsonNode value = mapper.readTree(record.value());
            assertThat(value.get("organization_id").asText()).isEqualTo(org);
            assertThat(value.get("seq").asLong()).isEqualTo(i + 1);
            assertThat(value.get("prev_hash").asText()).isEqualTo(prev);
            assertThat(value.get("hash").asText()).isEqualTo(dbHash(org, i + 1)).isEqualTo(recompute(value));
            prev = value.get("hash").asText();
        }
    }

    // --- helpers

    private void append(List<CloudEvent> events) throws Exception {
        Map<String, CloudEvent> work = new LinkedHashMap<>();
        events.forEach(event -> work.put(event.id(), event));
        try {
            VertxContextSupport.subscribeAndAwait(() -> processed.onceEach("audit", work, audit::append));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private String chainOfFive() throws Exception {
        String org = "org_" + UUID.randomUUID();
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(invocationEvent(org, "jane@acme.example"));
        }
        append(events);
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(true)).body("records_checked", equalTo(5));
        return org;
    }

    private static void assertBrokenAt(String org, long seq) {
        given().auth().oauth2(token(org)).when().get("/api/v1/audit/verify")
                .then().statusCode(200).body("valid", equalTo(false)).body("first_broken_seq", equalTo((int) seq));
    }

    /** Events of one batch one second apart, so time filters can tell them apart. */
    private int clock;

    /** A completed invocation by the person with this address; jane is {@code ext-42} calling from 203.0.113.7. */
    private CloudEvent invocationEvent(String org, String email) {
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        InvocationEvent base = invocation(invocationId, org);
        boolean jane = email.startsWith("jane");
        String local = email.substring(0, email.indexOf('@'));
        InvocationEvent event = new InvocationEvent(invocationId, org, "success",
                new InvocationEvent.ExternalUser(jane ? "ext-42" : "ext-" + local, email, jane ? "Jane" : "Someone",
                        null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", "parent-trace",
                        jane ? "{\"tenant\":\"jane-co\"}" : "{\"tenant\":\"other-co\"}"),
                base.kaizenAuth(), base.agent(), base.trace(),
                new InvocationEvent.RequestContext(jane ? "203.0.113.7" : "198.51.100.9", jane ? "curl/8" : "wget/1",
                        base.request().requestedAt()),
                base.governance(), base.result());
        return new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/adapter-gateway",
                EventTypes.INVOCATION_COMPLETED, invocationId, org, nextTime(), json(event));
    }

    private CloudEvent decisionEvent(String org, String userId) {
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        GovernanceDecisionEvent data = new GovernanceDecisionEvent("dec_1", org, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF",
                invocationId, userId, "DENY_RATE", "rate limit", null, List.of(), List.of(), null, null, null, null,
                List.of(), Instant.parse("2026-11-28T10:00:00Z"));
        return new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/governance-service",
                EventTypes.DECISION_DENIED, "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", org, nextTime(), json(data));
    }

    /** An agent changed by the Kaizen user whose token subject is {@code actor}. */
    private CloudEvent agentEvent(String org, String actor) {
        AgentEvent data = new AgentEvent("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", org, "Sales bot", "custom_http", "active",
                "production", List.of(), actor, Instant.parse("2026-11-28T10:00:00Z"), List.of("name"));
        return new CloudEvent(PrefixedId.next(PrefixedId.EVENT), "/kaizen/registry-service", EventTypes.AGENT_UPDATED,
                "agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", org, nextTime(), json(data));
    }

    private Instant nextTime() {
        return Instant.parse("2026-11-28T10:00:00.123456Z").plusSeconds(clock++ % 4);
    }

    private String json(Object data) {
        try {
            return mapper.writeValueAsString(data);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The documented canonical form, rebuilt here from the API's fields and the stored data text. */
    private static String canonicalHash(String org, long seq, CloudEvent event, Map<String, Object> item, String data,
            String prev) throws Exception {
        return sha256(List.of("kaizen-audit-chain-v1", org, Long.toString(seq), event.id(), event.type(),
                event.source(), event.subject(), (String) item.get("agent_id"), (String) item.get("occurred_at"),
                (String) item.get("recorded_at"), data, prev));
    }

    private static String recompute(JsonNode v) throws Exception {
        List<String> fields = new ArrayList<>();
        fields.add("kaizen-audit-chain-v1");
        for (String name : List.of("organization_id", "seq", "event_id", "type", "source", "subject", "agent_id",
                "occurred_at", "recorded_at", "data", "prev_hash")) {
            fields.add(v.get(name).isNull() ? null : v.get(name).asText());
        }
        return sha256(fields);
    }

    private static String sha256(List<String> fields) throws Exception {
        StringBuilder form = new StringBuilder();
        for (String field : fields) {
            form.append(field == null ? "-," : field.getBytes(StandardCharsets.UTF_8).length + ":" + field + ",");
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(form.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Connection db() throws SQLException {
        return DevStackTestResource.stack().postgres().connect("lineage");
    }

    private static void update(String org, String sql) throws SQLException {
        try (Connection db = db(); PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setString(1, org);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }

    private static String dbData(String org, long seq) throws SQLException {
        return dbColumn(org, seq, "data");
    }

    private static String dbHash(String org, long seq) throws SQLException {
        return dbColumn(org, seq, "hash");
    }

    private static String dbSubject(String org, long seq) throws SQLException {
        return dbColumn(org, seq, "subject");
    }

    private static String dbColumn(String org, long seq, String column) throws SQLException {
        try (Connection db = db(); PreparedStatement query = db.prepareStatement(
                "select " + column + " from audit_event where organization_id = ? and seq = ?")) {
            query.setString(1, org);
            query.setLong(2, seq);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    /** How many rows of the organisation in the audit tables hold the text, in any column and any case. */
    private static long mentions(String org, String text) throws SQLException {
        long found = 0;
        for (String table : List.of("audit_event", "audit_personal_data", "audit_chain_head")) {
            try (Connection db = db(); PreparedStatement query = db.prepareStatement("select count(*) from " + table
                    + " t where organization_id = ? and t::text ilike ?")) {
                query.setString(1, org);
                query.setString(2, "%" + text + "%");
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    found += row.getLong(1);
                }
            }
        }
        return found;
    }
}
