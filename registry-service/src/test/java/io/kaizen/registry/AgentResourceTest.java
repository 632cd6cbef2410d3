package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.kaizen.devstack.TopicReader;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class AgentResourceTest {

    private static final String AGENTS = "/api/v1/external-agents";

    private static String token(String org, String... roles) {
        return DevStackTestResource.stack().keys().token(org, List.of(roles), "user-" + org, null, Duration.ofMinutes(10));
    }

    private static String agentBody(String name) {
        return """
                {"name": "%s", "description": "Answers sales questions", "platform": "custom_http",
                 "endpoint_url": "https://agents.example.com/sales", "tags": ["sales"], "environment": "staging"}
                """.formatted(name);
    }

    @Test
    void registersAnAgentAndPublishesAgentRegistered() {
        String org = "org_" + UUID.randomUUID();
        String id = given().auth().oauth2(token(org, "developer")).contentType(ContentType.JSON)
                .body(agentBody("Sales bot"))
                .when().post(AGENTS)
                .then().statusCode(201)
                .header("Location", startsWith("http"))
                .body("id", matchesPattern("agt_[0-9A-Z]{26}"))
                .body("organization_id", equalTo(org))
                .body("name", equalTo("Sales bot"))
                .body("platform", equalTo("custom_http"))
                .body("environment", equalTo("staging"))
                .body("timeout_seconds", equalTo(30))
                .body("status", equalTo("active"))
                .body("auth_config.credentials", equalTo("***"))
                .body("created_by", equalTo("user-" + org))
                .body("created_at", notNullValue())
                .extract().path("id");

        given().auth().oauth2(token(org, "viewer"))
                .when().get(AGENTS + "/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("tags[0]", equalTo("sales"));

        ConsumerRecord<String, String> event = awaitEvent("kaizen.agents.v1", id);
        assertThat(header(event, "ce_type")).isEqualTo("kaizen.agent.registered.v1");
        assertThat(header(event, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(event, "ce_organizationid")).isEqualTo(org);
        assertThat(event.value()).contains("\"agent_id\":\"" + id + "\"").contains("\"platform\":\"custom_http\"");
    }

    @Test
    void anotherOrganizationsAgentIsNotFound() {
        String id = given().auth().oauth2(token("org_a_" + UUID.randomUUID(), "org_owner")).contentType(ContentType.JSON)
                .body(agentBody("Private bot")).when().post(AGENTS).then().statusCode(201).extract().path("id");
        given().auth().oauth2(token("org_b_" + UUID.randomUUID(), "org_owner"))
                .when().get(AGENTS + "/" + id)
                .then().statusCode(404).contentType("application/problem+json").body("error_code", equalTo("NOT_FOUND"));
    }

    @Test
    void textIsAsLongAsTheDocumentsCountIt() {
        String bearer = token("org_" + UUID.randomUUID(), "org_owner");
        // 200 characters beyond the Basic Multilingual Plane: 400 UTF-16 units, within maxLength 200
        given().auth().oauth2(bearer).contentType(ContentType.JSON).body(agentBody("😀".repeat(200)))
                .when().post(AGENTS).then().statusCode(201).body("name", equalTo("😀".repeat(200)));
        given().auth().oauth2(bearer).contentType(ContentType.JSON).body(agentBody("😀".repeat(201)))
                .when().post(AGENTS).then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void duplicateNamesConflictEvenWhenCreatesRace() throws Exception {
        String org = "org_" + UUID.randomUUID();
        String bearer = token(org, "org_admin");
        int racers = 8;
        CyclicBarrier barrier = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            statuses.add(pool.submit(() -> {
                barrier.await();
                return given().auth().oauth2(bearer).contentType(ContentType.JSON).body(agentBody("Twin"))
                        .when().post(AGENTS).then().extract().statusCode();
            }));
        }
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> status : statuses) {
            codes.add(status.get());
        }
        pool.shutdown();
        assertThat(codes).containsOnly(201, 409);
        assertThat(codes.stream().filter(c -> c == 201)).hasSize(1);

        given().auth().oauth2(bearer).contentType(ContentType.JSON).body(agentBody("twin"))
                .when().post(AGENTS)
                .then().statusCode(409).contentType("application/problem+json").body("error_code", equalTo("CONFLICT"));
    }

    @Test
    void credentialsAndPermissionsAreEnforced() {
        given().contentType(ContentType.JSON).body(agentBody("x")).when().post(AGENTS)
                .then().statusCode(401).contentType("application/problem+json")
                .body("error_code", equalTo("UNAUTHORIZED")).header("WWW-Authenticate", "Bearer");
        given().auth().oauth2("not.a.jwt").contentType(ContentType.JSON).body(agentBody("x")).when().post(AGENTS)
                .then().statusCode(401).contentType("application/problem+json");
        String noOrganization = DevStackTestResource.stack().keys().token(null, List.of("org_owner"), "orphan", null,
                Duration.ofMinutes(5));
        given().auth().oauth2(noOrganization).contentType(ContentType.JSON).body(agentBody("x")).when().post(AGENTS)
                .then().statusCode(401).contentType("application/problem+json");
        String expired = DevStackTestResource.stack().keys().token("org_x", List.of("org_owner"), "late", null,
                Duration.ofMinutes(-10));
        given().auth().oauth2(expired).contentType(ContentType.JSON).body(agentBody("x")).when().post(AGENTS)
                .then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(token("org_" + UUID.randomUUID(), "viewer")).contentType(ContentType.JSON)
                .body(agentBody("x")).when().post(AGENTS)
                .then().statusCode(403).contentType("application/problem+json").body("error_code", equalTo("FORBIDDEN"));
    }

    @Test
    void internalEndpointNeedsTheServiceToken() {
        String org = "org_" + UUID.randomUUID();
        String id = given().auth().oauth2(token(org, "developer")).contentType(ContentType.JSON)
                .body(agentBody("Internal bot")).when().post(AGENTS).then().statusCode(201).extract().path("id");
        given().auth().oauth2(token(org, "org_owner")).when().get("/internal/v1/agents/" + id)
                .then().statusCode(401).contentType("application/problem+json");
        given().header("X-Kaizen-Service-Token", "wrong").when().get("/internal/v1/agents/" + id)
                .then().statusCode(401);
        given().header("X-Kaizen-Service-Token", DevStackTestResource.stack().serviceToken())
                .when().get("/internal/v1/agents/" + id)
                .then().statusCode(200)
                .body("organization_id", equalTo(org))
                .body("endpoint_url", equalTo("https://agents.example.com/sales"))
                .body("timeout_seconds", equalTo(30));
    }

    @Test
    void badInputIsAProblemNeverAServerError() {
        String bearer = token("org_" + UUID.randomUUID(), "developer");
        Map<String, String> cases = Map.of(
                "{\"name\": \"x\", ", "not valid JSON",
                "{\"name\": \"x\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\", \"timeout_seconds\": \"soon\"}", "timeout_seconds",
                "{\"name\": \"x\", \"platform\": \"myspace\", \"endpoint_url\": \"https://a.example\"}", "platform",
                "{\"name\": \"x\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\", \"colour\": 3}", "colour",
                "{\"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}", "name",
                "{\"name\": \"x\", \"platform\": \"custom_http\", \"endpoint_url\": \"ftp://a.example\"}", "endpoint_url",
                "{\"name\": \"x\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\", \"timeout_seconds\": 301}", "timeout_seconds",
                "[1, 2]", "shape",
                "{\"name\": \"" + "n".repeat(201) + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}", "name");
        cases.forEach((body, mentioned) -> assertRefused(bearer, body, mentioned));

        String huge = "{\"name\": \"x\", \"description\": \"" + "d".repeat(1_100_000) + "\"}";
        given().auth().oauth2(bearer).contentType(ContentType.JSON).body(huge)
                .when().post(AGENTS)
                .then().statusCode(413).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"));
        given().auth().oauth2(bearer).contentType(ContentType.TEXT).body("name=x")
                .when().post(AGENTS)
                .then().statusCode(415).contentType("application/problem+json");
        given().auth().oauth2(bearer).contentType(ContentType.JSON)
                .when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(bearer).when().get(AGENTS + "/../../etc")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(bearer).when().get(AGENTS + "/agt_nope")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aNulCharacterInATextFieldIsA400NamingItAndNothingIsStored() {
        String bearer = token("org_" + UUID.randomUUID(), "developer");
        Map<String, String> cases = Map.of(
                "{\"name\": \"a\\u0000b\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}", "name",
                "{\"name\": \"x\", \"description\": \"\\u0000\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}", "description",
                "{\"name\": \"x\", \"tags\": [\"ok\", \"n\\u0000\"], \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}", "tags");
        cases.forEach((body, field) -> assertRefused(bearer, body, field));

        given().auth().oauth2(bearer).when().get(AGENTS).then().statusCode(200).body("total", equalTo(0));
    }

    /** A registration refused with a 400 problem whose detail names what is wrong. */
    private static void assertRefused(String bearer, String body, String mentioned) {
        given().auth().oauth2(bearer).contentType(ContentType.JSON)
                .body(body.getBytes(StandardCharsets.UTF_8))
                .when().post(AGENTS)
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("status", equalTo(400))
                .body("request_id", notNullValue())
                .body("detail", org.hamcrest.Matchers.containsString(mentioned));
    }

    private static ConsumerRecord<String, String> awaitEvent(String topic, String key) {
        return TopicReader.await(DevStackTestResource.stack().kafkaBootstrap(), topic, r -> key.equals(r.key()), 1,
                Duration.ofSeconds(20)).get(0);
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return TopicReader.header(record, name);
    }
}
