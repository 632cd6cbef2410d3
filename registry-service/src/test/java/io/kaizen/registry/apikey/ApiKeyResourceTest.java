package io.kaizen.registry.apikey;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class ApiKeyResourceTest {

    private static final String KEYS = "/api/v1/api-keys";
    private static final String AGENTS = "/api/v1/external-agents";
    private static final String PROBLEM = "application/problem+json";

    @Test
    void aCreatedKeyIsShownOnceAndOnlyItsHashIsKept() throws Exception {
        String org = newOrg();
        Instant expires = Instant.parse("2099-01-01T00:00:00Z");
        ExtractableResponse<Response> created = jwt(org, "developer").body("""
                {"name": "CI pipeline", "scopes": ["external_agents:read", "external_agents:invoke", "external_agents:read"],
                 "expires_at": "%s"}
                """.formatted(expires))
                .when().post(KEYS)
                .then().statusCode(201)
                .header("Cache-Control", "no-store")
                .body("id", matchesPattern("key_[0-9A-Z]{26}"))
                .body("name", equalTo("CI pipeline"))
                .body("key", matchesPattern("sk_live_[A-Za-z0-9_-]{43}"))
                .body("scopes", equalTo(List.of("external_agents:read", "external_agents:invoke")))
                .body("organization_id", equalTo(org))
                .body("team_id", nullValue())
                .body("created_at", notNullValue())
                .body("expires_at", equalTo("2099-01-01T00:00:00Z"))
                .extract();
        String id = created.path("id");
        String key = created.path("key");
        assertThat((String) created.path("prefix")).isEqualTo(key.substring(0, 12)).startsWith("sk_live_");

        String listed = jwt(org, "viewer", "developer").when().get(KEYS)
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(id)))
                .body("items[0].prefix", equalTo(key.substring(0, 12)))
                .body("items[0].scopes", equalTo(List.of("external_agents:read", "external_agents:invoke")))
                .body("items[0]", not(hasKey("key")))
                .body("items[0].last_used_at", nullValue())
                .body("items[0].revoked_at", nullValue())
                .extract().asString();
        assertThat(listed).doesNotContain(key).doesNotContain(sha256(key));

        try (Connection db = registryDatabase();
                PreparedStatement query = db.prepareStatement("select key_hash, row_to_json(k)::text from api_key k where id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo(sha256(key));
                assertThat(row.getString(2)).doesNotContain(key);
            }
        }

        ConsumerRecord<String, String> event = awaitEvents(id, 1).get(0);
        assertThat(header(event, "ce_type")).isEqualTo("kaizen.apikey.created.v1");
        assertThat(header(event, "ce_organizationid")).isEqualTo(org);
        assertThat(event.value()).contains("\"api_key_id\":\"" + id + "\"")
                .contains("\"prefix\":\"" + key.substring(0, 12) + "\"")
                .doesNotContain(key).doesNotContain(sha256(key));
    }

    @Test
    void aKeyActsForItsOrganizationWithinItsScopes() {
        String org = newOrg();
        String agentId = registerAgent(org, "Scoped bot");
        String foreignAgent = registerAgent(newOrg(), "Foreign bot");
        Map<String, String> created = createKey(org, "external_agents:read", "api_keys:read");
        String key = created.get("key");

        given().auth().oauth2(key).when().get(AGENTS + "/" + agentId)
                .then().statusCode(200).body("id", equalTo(agentId)).body("organization_id", equalTo(org));
        given().header("X-API-Key", key).when().get(AGENTS + "/" + agentId)
                .then().statusCode(200).body("id", equalTo(agentId));
        given().header("Authorization", "bearer " + key).when().get(AGENTS + "/" + agentId)
                .then().statusCode(200);
        given().auth().oauth2(key).when().get(AGENTS + "/" + foreignAgent)
                .then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(key).when().get(KEYS)
                .then().statusCode(200)
                .body("items.id", hasItem(created.get("id")))
                .body("items.find { it.id == '%s' }.last_used_at".formatted(created.get("id")), notNullValue());

        // scopes bound the key whatever its creator could do
        given().auth().oauth2(key).contentType(ContentType.JSON)
                .body("{\"name\": \"x\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://a.example\"}")
                .when().post(AGENTS)
                .then().statusCode(403).contentType(PROBLEM).body("error_code", equalTo("FORBIDDEN"));
        given().auth().oauth2(key).contentType(ContentType.JSON)
                .body("{\"name\": \"child\", \"scopes\": [\"external_agents:read\"]}")
                .when().post(KEYS)
                .then().statusCode(403).contentType(PROBLEM);
    }

    @Test
    void aCallerCannotGrantWhatItDoesNotHold() {
        String org = newOrg();
        jwt(org, "developer").body("{\"name\": \"wide\", \"scopes\": [\"external_agents:read\", \"external_agents:delete\"]}")
                .when().post(KEYS)
                .then().statusCode(403).contentType(PROBLEM)
                .body("error_code", equalTo("FORBIDDEN"))
                .body("scope", equalTo("external_agents:delete"))
                .body("detail", containsString("external_agents:delete"));
        jwt(org, "viewer").body("{\"name\": \"v\", \"scopes\": [\"external_agents:read\"]}")
                .when().post(KEYS)
                .then().statusCode(403).contentType(PROBLEM);

        String minter = createKey(org, "api_keys:create", "external_agents:read").get("key");
        given().auth().oauth2(minter).contentType(ContentType.JSON)
                .body("{\"name\": \"narrow\", \"scopes\": [\"external_agents:read\"]}")
                .when().post(KEYS)
                .then().statusCode(201).body("scopes", equalTo(List.of("external_agents:read")));
        given().auth().oauth2(minter).contentType(ContentType.JSON)
                .body("{\"name\": \"wider\", \"scopes\": [\"external_agents:invoke\"]}")
                .when().post(KEYS)
                .then().statusCode(403).contentType(PROBLEM).body("scope", equalTo("external_agents:invoke"));

        String teamToken = DevStackTestResource.stack().keys().token(org, List.of("developer"), "dev-" + org, "team-a",
                Duration.ofMinutes(10));
        given().auth().oauth2(teamToken).contentType(ContentType.JSON)
                .body("{\"name\": \"team\", \"scopes\": [\"external_agents:read\"]}")
                .when().post(KEYS)
                .then().statusCode(201).body("team_id", equalTo("team-a"));
        given().auth().oauth2(teamToken).contentType(ContentType.JSON)
                .body("{\"name\": \"other team\", \"scopes\": [\"external_agents:read\"], \"team_id\": \"team-b\"}")
                .when().post(KEYS)
                .then().statusCode(403).contentType(PROBLEM);
        jwt(org, "org_admin").body("{\"name\": \"other team\", \"scopes\": [\"external_agents:read\"], \"team_id\": \"team-b\"}")
                .when().post(KEYS)
                .then().statusCode(201).body("team_id", equalTo("team-b"));
    }

    @Test
    void aRevokedKeyIsRefusedAtOnce() {
        String org = newOrg();
        Map<String, String> created = createKey(org, "api_keys:read");
        String key = created.get("key");
        String id = created.get("id");
        given().auth().oauth2(key).when().get(KEYS).then().statusCode(200);

        jwt(org, "developer").when().delete(KEYS + "/" + id).then().statusCode(204);
        given().auth().oauth2(key).when().get(KEYS)
                .then().statusCode(401).contentType(PROBLEM)
                .header("WWW-Authenticate", "Bearer")
                .body("error_code", equalTo("UNAUTHORIZED"))
                .body(not(containsString(key)));
        given().header("X-API-Key", key).when().get(KEYS).then().statusCode(401).contentType(PROBLEM);

        jwt(org, "developer").when().delete(KEYS + "/" + id).then().statusCode(204);
        jwt(org, "developer").when().get(KEYS)
                .then().statusCode(200).body("items[0].id", equalTo(id)).body("items[0].revoked_at", notNullValue());

        List<ConsumerRecord<String, String>> events = awaitEvents(id, 2);
        assertThat(events).extracting(e -> header(e, "ce_type"))
                .containsExactly("kaizen.apikey.created.v1", "kaizen.apikey.revoked.v1");
        assertThat(events.get(1).value()).contains("\"revoked_at\":\"").doesNotContain(key).doesNotContain(sha256(key));
    }

    @Test
    void anExpiredKeyIsRefused() {
        String org = newOrg();
        String key = jwt(org, "developer")
                .body("{\"name\": \"short-lived\", \"scopes\": [\"api_keys:read\"], \"expires_at\": \"%s\"}"
                        .formatted(Instant.now().plusSeconds(20)))
                .when().post(KEYS)
                .then().statusCode(201).extract().path("key");
        // 20 s is room for one request on a loaded machine, not a measure of anything
        given().auth().oauth2(key).when().get(KEYS).then().statusCode(200);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().auth().oauth2(key).when().get(KEYS).then().statusCode(401).contentType(PROBLEM));
    }

    @Test
    void anUnknownScopeIsRefusedByName() {
        jwt(newOrg(), "org_owner").body("{\"name\": \"n\", \"scopes\": [\"external_agents:read\", \"agents:fly\"]}")
                .when().post(KEYS)
                .then().statusCode(400).contentType(PROBLEM)
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("scope", equalTo("agents:fly"))
                .body("detail", containsString("'agents:fly'"));
        jwt(newOrg(), "org_owner").body("{\"name\": \"n\", \"scopes\": []}")
                .when().post(KEYS)
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("scopes"));
    }

    @Test
    void anotherOrganizationsKeyCannotBeRevoked() {
        String org = newOrg();
        Map<String, String> created = createKey(org, "api_keys:read");
        jwt(newOrg(), "org_owner").when().delete(KEYS + "/" + created.get("id"))
                .then().statusCode(404).contentType(PROBLEM).body("error_code", equalTo("NOT_FOUND"));
        jwt(newOrg(), "org_owner").when().delete(KEYS + "/key_nope")
                .then().statusCode(404).contentType(PROBLEM);
        given().auth().oauth2(created.get("key")).when().get(KEYS).then().statusCode(200);
    }

    @Test
    void listsArePagedInTheEnvelope() {
        String org = newOrg();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(createKey(org, "api_keys:read").get("id"));
        }
        jwt(org, "developer").queryParam("limit", 2).when().get(KEYS)
                .then().statusCode(200)
                .body("total", equalTo(3)).body("page", equalTo(1)).body("limit", equalTo(2))
                .body("has_more", equalTo(true))
                .body("items.id", equalTo(List.of(ids.get(2), ids.get(1))));
        jwt(org, "developer").queryParam("limit", 2).queryParam("page", 2).when().get(KEYS)
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(ids.get(0)))).body("has_more", equalTo(false));
        jwt(org, "developer").when().get(KEYS).then().statusCode(200).body("limit", equalTo(20));
    }

    @Test
    void hostileInputIsAProblemNeverAServerError() {
        String org = newOrg();
        Map<String, String> bodies = Map.of(
                "{\"name\": \"" + "n".repeat(101) + "\", \"scopes\": [\"api_keys:read\"]}", "name",
                "{\"name\": \"n\", \"scopes\": [\"api_keys:read\"], \"expires_at\": \"next tuesday\"}", "expires_at",
                "{\"name\": \"n\", \"scopes\": [\"api_keys:read\"], \"expires_at\": \"2001-01-01T00:00:00Z\"}", "expires_at",
                "{\"name\": \"n\", \"scopes\": \"api_keys:read\"}", "scopes",
                "{\"name\": \"n\", \"scopes\": [\"" + "s".repeat(10_000) + "\"]}", "scopes",
                "{\"name\": \"n\", \"scopes\": [null]}", "scopes",
                "{\"name\": \"n\", \"scopes\": [\"api_keys:read\"], \"key\": \"sk_live_mine\"}", "key",
                "{\"name\": \"n\", \"scopes\": [\"api_keys:read\"], \"team_id\": \"\"}", "team_id",
                "{\"scopes\": [\"api_keys:read\"]}", "name",
                "{\"name\": \"n\", ", "JSON");
        bodies.forEach((body, mentioned) -> jwt(org, "org_owner").body(body.getBytes(StandardCharsets.UTF_8))
                .when().post(KEYS)
                .then().statusCode(400).contentType(PROBLEM)
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", containsString(mentioned))
                .body(not(containsString("s".repeat(200)))));
        jwt(org, "org_owner").when().post(KEYS).then().statusCode(400).contentType(PROBLEM);

        for (String query : List.of("page=0", "limit=0", "limit=101", "page=abc", "limit=" + "9".repeat(30),
                "page=2147483647", "page=-1")) {
            jwt(org, "developer").when().get(KEYS + "?" + query)
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("error_code", equalTo("VALIDATION_ERROR"))
                    .body("detail", containsString(query.substring(0, query.indexOf('='))));
        }
        jwt(org, "developer").queryParam("page", 1_000_000).when().get(KEYS)
                .then().statusCode(200).body("items", equalTo(List.of())).body("has_more", equalTo(false));

        String garbage = "sk_live_" + "A".repeat(10_000);
        List<RequestSpecification> hostile = List.of(
                given().header("Authorization", "Bearer " + garbage),
                given().header("Authorization", "Bearer sk_live_"),
                given().header("Authorization", "Bearer sk_live_" + "é".repeat(43)),
                given().header("X-API-Key", "not-a-key"),
                given().header("X-API-Key", garbage),
                // well-formed, never issued
                given().header("Authorization", "Bearer sk_live_" + "x".repeat(43)),
                // two credentials that disagree
                given().header("X-API-Key", createKey(org, "api_keys:read").get("key"))
                        .auth().oauth2(token(org, "org_owner")));
        for (RequestSpecification request : hostile) {
            request.when().get(KEYS)
                    .then().statusCode(401).contentType(PROBLEM)
                    .header("WWW-Authenticate", "Bearer")
                    .body("error_code", equalTo("UNAUTHORIZED"))
                    .body(not(containsString("AAAAAAAAAA")));
        }
    }

    @Test
    void theInternalVerificationTakesOnlyAHashAndNeedsTheServiceToken() {
        String org = newOrg();
        Map<String, String> created = createKey(org, "api_keys:read", "external_agents:invoke");
        String hash = sha256(created.get("key"));
        String serviceToken = DevStackTestResource.stack().serviceToken();

        given().contentType(ContentType.JSON).body(Map.of("key_hash", hash))
                .when().post("/internal/v1/api-keys/verify")
                .then().statusCode(401).contentType(PROBLEM);
        given().header("X-Kaizen-Service-Token", serviceToken).contentType(ContentType.JSON)
                .body(Map.of("key_hash", hash))
                .when().post("/internal/v1/api-keys/verify")
                .then().statusCode(200)
                .body("valid", equalTo(true))
                .body("api_key_id", equalTo(created.get("id")))
                .body("organization_id", equalTo(org))
                .body("prefix", equalTo(created.get("key").substring(0, 12)))
                .body("scopes.sort()", equalTo(List.of("api_keys:read", "external_agents:invoke")))
                // the key acts for the user who created it (self-approval counts the key's owner as the user)
                .body("owner_id", equalTo("user-" + org))
                .body(not(containsString(hash)));
        given().header("X-Kaizen-Service-Token", serviceToken).contentType(ContentType.JSON)
                .body(Map.of("key_hash", sha256("sk_live_" + "x".repeat(43))))
                .when().post("/internal/v1/api-keys/verify")
                .then().statusCode(200).body("valid", equalTo(false)).body("api_key_id", nullValue());
        given().header("X-Kaizen-Service-Token", serviceToken).contentType(ContentType.JSON)
                .body(Map.of("key_hash", created.get("key")))
                .when().post("/internal/v1/api-keys/verify")
                .then().statusCode(400).contentType(PROBLEM).body(not(containsString(created.get("key"))));
    }

    @Test
    void lastUseIsWrittenAtMostOncePerMinute() {
        String org = newOrg();
        Map<String, String> created = createKey(org, "api_keys:read");
        String path = "items.find { it.id == '%s' }.last_used_at".formatted(created.get("id"));
        String first = given().auth().oauth2(created.get("key")).when().get(KEYS)
                .then().statusCode(200).extract().path(path);
        assertThat(first).isNotNull();
        String second = given().auth().oauth2(created.get("key")).when().get(KEYS)
                .then().statusCode(200).extract().path(path);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void keysCannotBeVerifiedWhileTheDatabaseIsDown() {
        String key = createKey(newOrg(), "api_keys:read").get("key");
        DevStackTestResource.stack().stopPostgres();
        try {
            given().auth().oauth2(key).when().get(KEYS)
                    .then().statusCode(503).contentType(PROBLEM)
                    .header("Retry-After", notNullValue())
                    .body(not(containsString(key)));
        } finally {
            DevStackTestResource.stack().startPostgres();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().auth().oauth2(key).when().get(KEYS).then().statusCode(200));
    }

    private static Map<String, String> createKey(String org, String... scopes) {
        ExtractableResponse<Response> created = jwt(org, "org_owner")
                .body(Map.of("name", "key " + UUID.randomUUID(), "scopes", List.of(scopes)))
                .when().post(KEYS)
                .then().statusCode(201).extract();
        return Map.of("id", created.path("id"), "key", created.path("key"));
    }

    private static String registerAgent(String org, String name) {
        return jwt(org, "developer")
                .body("{\"name\": \"" + name + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://agents.example.com/a\"}")
                .when().post(AGENTS)
                .then().statusCode(201).extract().path("id");
    }

    private static RequestSpecification jwt(String org, String... roles) {
        return given().auth().oauth2(token(org, roles)).contentType(ContentType.JSON);
    }

    private static String token(String org, String... roles) {
        return DevStackTestResource.stack().keys().token(org, List.of(roles), "user-" + org, null, Duration.ofMinutes(10));
    }

    private static String newOrg() {
        return "org_" + UUID.randomUUID();
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Connection registryDatabase() throws Exception {
        return DriverManager.getConnection(DevStackTestResource.stack().jdbcUrl("registry"), "kaizen", "kaizen");
    }

    /** The first {@code count} events keyed by {@code key} on the agents topic, in order. */
    private static List<ConsumerRecord<String, String>> awaitEvents(String key, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStackTestResource.stack().kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "apikey-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("kaizen.agents.v1"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (found.size() < count && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (key.equals(record.key())) {
                        found.add(record);
                    }
                });
            }
        }
        assertThat(found).as("events keyed " + key).hasSizeGreaterThanOrEqualTo(count);
        return found;
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
