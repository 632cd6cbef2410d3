package io.kaizen.lineage;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kaizen.common.events.CloudEvent;
import io.kaizen.common.events.EventTypes;
import io.kaizen.common.events.InvocationEvent;
import io.kaizen.common.ids.PrefixedId;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "lineage"))
class LineageConsumerTest {

    private static KafkaProducer<String, String> producer;

    @Inject
    ObjectMapper mapper;

    @BeforeAll
    static void connect() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void close() {
        producer.close();
    }

    private static String token(String org, String... roles) {
        return DevStackTestResource.stack().keys().token(org, List.of(roles), "auditor-1", null, Duration.ofMinutes(5));
    }

    private InvocationEvent invocation(String invocationId, String org) {
        Instant now = Instant.parse("2026-11-28T10:00:00Z");
        return new InvocationEvent(invocationId, org, "success",
                new InvocationEvent.ExternalUser("ext-42", "jane@acme.example", "Jane", null),
                new InvocationEvent.ExternalSystem("copilot", "sess-1", "parent-trace", "{\"tenant\":\"acme\"}"),
                new InvocationEvent.KaizenAuth("jwt", "dev-user", null, null, org, "team-9"),
                new InvocationEvent.Agent("agt_01JF8ZK3M4Q9V2X7C5N6B8D0EF", "Sales bot", "custom_http",
                        "https://agents.example.com", null),
                new InvocationEvent.Trace("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "parent-trace"),
                new InvocationEvent.RequestContext("203.0.113.7", "curl/8", now),
                new InvocationEvent.Governance("ALLOW", "dec_1", null, null, null, null),
                new InvocationEvent.Result(now.plusMillis(120), 120L, new BigDecimal("0.05"), 200, null, null));
    }

    private void send(String eventId, String org, Object data) throws Exception {
        CloudEvent event = new CloudEvent(eventId, "/kaizen/adapter-gateway", EventTypes.INVOCATION_COMPLETED,
                "inv", org, Instant.now(), mapper.writeValueAsString(data));
        producer.send(new ProducerRecord<>("kaizen.invocations.v1", null, "inv", event.data(), event.headers())).get();
    }

    @Test
    void anInvocationEventBecomesItsLineageRowOnceEvenWhenRedelivered() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        String eventId = PrefixedId.next(PrefixedId.EVENT);
        send(eventId, org, invocation(invocationId, org));
        send(eventId, org, invocation(invocationId, org));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token(org, "auditor"))
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

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token(org, "auditor"))
                .queryParam("subject", "inv")
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1)).body("items[0].event_id", equalTo(eventId)));
    }

    @Test
    void lineageIsScopedToTheCallersOrganization() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        send(PrefixedId.next(PrefixedId.EVENT), org, invocation(invocationId, org));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token(org, "auditor"))
                .when().get("/api/v1/lineage/" + invocationId).then().statusCode(200));

        given().auth().oauth2(token("org_other", "org_owner"))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(token(org, "viewer"))
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void aPoisonEventDoesNotStopTheConsumer() throws Exception {
        producer.send(new ProducerRecord<>("kaizen.invocations.v1", "junk", "{not json")).get();
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        send(PrefixedId.next(PrefixedId.EVENT), org, invocation(invocationId, org));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token(org, "auditor"))
                .when().get("/api/v1/lineage/" + invocationId).then().statusCode(200));
    }

    @Test
    void anEventArrivingWhileTheDatabaseIsDownIsRecordedOnceItIsBack() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String invocationId = PrefixedId.next(PrefixedId.INVOCATION);
        DevStackTestResource.stack().stopPostgres();
        try {
            send(PrefixedId.next(PrefixedId.EVENT), org, invocation(invocationId, org));
            Thread.sleep(3000);
        } finally {
            DevStackTestResource.stack().startPostgres();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(token(org, "auditor"))
                .when().get("/api/v1/lineage/" + invocationId).then().statusCode(200)
                .body("invocation_id", equalTo(invocationId)));
    }
}
