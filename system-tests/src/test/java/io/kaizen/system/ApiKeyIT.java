package io.kaizen.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kaizen.devstack.Service;
import io.kaizen.devstack.ServiceLauncher;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** One API key, created through the router, accepted by every service until it is revoked, then by none. */
class ApiKeyIT {

    private static final String PROBLEM = "application/problem+json";

    private final Suite suite = Suite.get();

    @Test
    void aKeyWorksAcrossServicesAndRevocationStopsItEverywhereAtOnce() {
        String org = Suite.newOrg();
        String owner = suite.token(org, "org_owner");
        String agentId = suite.registerAgent(owner, "Key Bot");
        ExtractableResponse<Response> created = suite.as(owner).body("""
                {"name": "integration", "scopes": ["external_agents:read", "external_agents:invoke", "lineage:read", "audit:read"]}
                """)
                .when().post("/api/v1/api-keys")
                .then().statusCode(201).extract();
        String keyId = created.path("id");
        String key = created.path("key");
        String prefix = created.path("prefix");

        // registry, with the key in X-API-Key as the original accepted
        given().baseUri(suite.baseUrl()).header("X-API-Key", key).when().get("/api/v1/external-agents")
                .then().statusCode(200).body("items.id", hasItem(agentId));
        // gateway
        String invocationId = suite.invoking(key)
                .body("{\"input\": \"ping\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(200).body("status", equalTo("success"))
                .extract().path("invocation_id");
        // lineage: the invocation is attributed to the key, never to the key's secret
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> withKey(key)
                .when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(200)
                .body("auth_method", equalTo("api_key"))
                .body("api_key_id", equalTo(keyId))
                .body("api_key_prefix", equalTo(prefix))
                .body(not(containsString(key))));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> withKey(key)
                .queryParam("subject", keyId)
                .when().get("/api/v1/audit")
                .then().statusCode(200).body("items[0].type", equalTo("kaizen.apikey.created.v1")));

        suite.as(owner).when().delete("/api/v1/api-keys/" + keyId).then().statusCode(204);

        // no waiting: every service asks the registry on every request
        withKey(key).when().get("/api/v1/external-agents")
                .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer");
        suite.invoking(key)
                .body("{\"input\": \"ping\"}")
                .when().post("/api/v1/external-agents/" + agentId + "/invoke")
                .then().statusCode(401).contentType(PROBLEM).body("error_code", equalTo("UNAUTHORIZED"));
        withKey(key).when().get("/api/v1/audit")
                .then().statusCode(401).contentType(PROBLEM).body(not(containsString(key)));
        withKey(key).when().get("/api/v1/lineage/" + invocationId)
                .then().statusCode(401).contentType(PROBLEM);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> suite.as(suite.token(org, "auditor"))
                .queryParam("subject", keyId)
                .when().get("/api/v1/audit")
                .then().statusCode(200)
                .body("items.type", equalTo(List.of("kaizen.apikey.created.v1", "kaizen.apikey.revoked.v1"))));
    }

    @Test
    void withTheRegistryDownKeysAreUnverifiableNotServerErrors() {
        String org = Suite.newOrg();
        String key = suite.as(suite.token(org, "org_owner"))
                .body("{\"name\": \"outage\", \"scopes\": [\"audit:read\"]}")
                .when().post("/api/v1/api-keys")
                .then().statusCode(201).extract().path("key");
        withKey(key).when().get("/api/v1/audit").then().statusCode(200);

        ServiceLauncher registry = suite.services.get(Service.REGISTRY);
        registry.stop();
        try {
            given().baseUri(suite.serviceUrl(Service.LINEAGE)).auth().oauth2(key)
                    .when().get("/api/v1/audit")
                    .then().statusCode(503).contentType(PROBLEM)
                    .header("Retry-After", notNullValue())
                    .body("status", equalTo(503))
                    .body(not(containsString(key)));
            // JWTs need no registry
            given().baseUri(suite.serviceUrl(Service.LINEAGE)).auth().oauth2(suite.token(org, "auditor"))
                    .when().get("/api/v1/audit")
                    .then().statusCode(200);
        } finally {
            ServiceLauncher restarted = ServiceLauncher.start(suite.stack, Service.REGISTRY, registry.port(),
                    Path.of("target", "service-logs", "restarted").toAbsolutePath());
            suite.services.put(Service.REGISTRY, restarted);
            restarted.awaitReady(ServiceLauncher.READY_TIMEOUT);
        }
        withKey(key).when().get("/api/v1/audit").then().statusCode(200);
        assertThat(suite.services.get(Service.REGISTRY).isAlive()).isTrue();
    }

    private RequestSpecification withKey(String key) {
        return given().baseUri(suite.baseUrl()).auth().oauth2(key).contentType(ContentType.JSON);
    }
}
