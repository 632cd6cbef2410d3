package io.kaizen.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The webhooks API against real PostgreSQL: create, list, get, update, delete; validation of every field against
 * the event catalogue and the egress guard; one organisation never sees another's webhooks; the secret is answered
 * once and is neither stored in clear nor logged.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class WebhookApiTest {

    static final String SECRET_PATTERN = "whsec_[A-Za-z0-9+/]{43}=";

    private final Invoker owner = new Invoker();

    @Test
    void aWebhookIsCreatedWithItsSecretShownOnceAndNeverAgain() {
        Response created = as(owner).body("""
                {"name": "Ops alerts", "url": "https://hooks.example.com/kaizen/T0K3N", "events": ["invocation.failed",
                 "budget.*"], "description": "Paging on failures"}""")
                .when().post("/api/v1/webhooks")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/api/v1/webhooks/whk_[0-9A-Z]{26}"))
                .body("id", matchesPattern("whk_[0-9A-Z]{26}"))
                .body("name", equalTo("Ops alerts"))
                .body("url", equalTo("https://hooks.example.com/…"))
                .body("events", equalTo(List.of("invocation.failed", "budget.*")))
                .body("signing", equalTo("standard"))
                .body("status", equalTo("active"))
                .body("consecutive_failures", equalTo(0))
                .body("description", equalTo("Paging on failures"))
                .body("created_by", equalTo("user-" + owner.organizationId))
                .body("secret", matchesPattern(SECRET_PATTERN))
                .extract().response();
        String id = created.path("id");
        String secret = created.path("secret");
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length()))).hasSize(32);

        String fetched = as(owner).when().get("/api/v1/webhooks/{id}", id)
                .then().statusCode(200).body("id", equalTo(id)).body("$", not(hasKey("secret")))
                .extract().asString();
        String listed = as(owner).when().get("/api/v1/webhooks")
                .then().statusCode(200).body("total", equalTo(1)).body("items.id", equalTo(List.of(id)))
                .body("items[0]", not(hasKey("secret")))
                .extract().asString();
        String updated = as(owner).body("{\"name\": \"Ops alerts 2\"}").when().patch("/api/v1/webhooks/{id}", id)
                .then().statusCode(200).body("$", not(hasKey("secret"))).extract().asString();
        assertThat(fetched + listed + updated).doesNotContain(secret).doesNotContain("T0K3N");
        assertThat(storedSecret(id)).startsWith("v1:").doesNotContain(secret)
                .doesNotContain(secret.substring("whsec_".length()));
    }

    @Test
    void rotatingTheSecretAnswersANewOneOnce() {
        String id = create(owner, "[\"agent.*\"]");
        String first = storedSecret(id);

        String rotated = as(owner).when().post("/api/v1/webhooks/{id}/rotate-secret", id)
                .then().statusCode(200).body("id", equalTo(id)).body("secret", matchesPattern(SECRET_PATTERN))
                .extract().path("secret");

        assertThat(storedSecret(id)).isNotEqualTo(first).doesNotContain(rotated);
        as(owner).when().get("/api/v1/webhooks/{id}", id).then().statusCode(200).body("$", not(hasKey("secret")));
    }

    @Test
    void anUpdateChangesOnlyTheFieldsItNamesAndCanDisableAndReEnable() {
        String id = create(owner, "[\"invocation.failed\"]");

        as(owner).body("{\"events\": [\"invocation.*\", \"approval.requested\"], \"signing\": \"legacy\","
                        + " \"status\": \"disabled\"}")
                .when().patch("/api/v1/webhooks/{id}", id)
                .then().statusCode(200)
                .body("name", equalTo("Hook"))
                .body("events", equalTo(List.of("invocation.*", "approval.requested")))
                .body("signing", equalTo("legacy"))
                .body("status", equalTo("disabled"))
                .body("disabled_at", not(nullValue()));
        as(owner).body("{\"status\": \"active\", \"url\": \"https://other.example.com/in\"}")
                .when().patch("/api/v1/webhooks/{id}", id)
                .then().statusCode(200)
                .body("status", equalTo("active"))
                .body("disabled_at", nullValue())
                .body("url", equalTo("https://other.example.com/…"));
        as(owner).body("{\"name\": null, \"url\": null, \"events\": null, \"signing\": null, \"status\": null}")
                .when().patch("/api/v1/webhooks/{id}", id)
                .then().statusCode(200)
                .body("name", equalTo("Hook"))
                .body("events", equalTo(List.of("invocation.*", "approval.requested")))
                .body("signing", equalTo("legacy"))
                .body("status", equalTo("active"));
    }

    @Test
    void aDeletedWebhookIsGone() {
        String id = create(owner, "[\"agent.*\"]");

        as(owner).when().delete("/api/v1/webhooks/{id}", id).then().statusCode(204);

        as(owner).when().get("/api/v1/webhooks/{id}", id).then().statusCode(404);
        as(owner).when().delete("/api/v1/webhooks/{id}", id).then().statusCode(404);
    }

    @Test
    void anotherOrganisationsWebhookIsNotFoundForEveryOperation() {
        String id = create(owner, "[\"agent.*\"]");
        Invoker stranger = new Invoker();

        as(stranger).when().get("/api/v1/webhooks/{id}", id).then().statusCode(404)
                .contentType("application/problem+json");
        as(stranger).body("{\"name\": \"mine now\"}").when().patch("/api/v1/webhooks/{id}", id).then().statusCode(404);
        as(stranger).when().post("/api/v1/webhooks/{id}/rotate-secret", id).then().statusCode(404);
        as(stranger).body("{\"event_type\": \"agent.updated\"}").when().post("/api/v1/webhooks/{id}/test", id)
                .then().statusCode(404);
        as(stranger).when().get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(404);
        as(stranger).when().delete("/api/v1/webhooks/{id}", id).then().statusCode(404);
        as(stranger).when().get("/api/v1/webhooks").then().statusCode(200).body("total", equalTo(0));

        as(owner).when().get("/api/v1/webhooks/{id}", id).then().statusCode(200).body("name", equalTo("Hook"));
    }

    @Test
    void theListPagesNewestFirst() {
        String first = create(owner, "[\"agent.*\"]");
        String second = create(owner, "[\"agent.*\"]");
        String third = create(owner, "[\"agent.*\"]");

        as(owner).when().get("/api/v1/webhooks?page=1&limit=2").then().statusCode(200)
                .body("items.id", equalTo(List.of(third, second))).body("total", equalTo(3))
                .body("page", equalTo(1)).body("limit", equalTo(2)).body("has_more", equalTo(true));
        as(owner).when().get("/api/v1/webhooks?page=2&limit=2").then().statusCode(200)
                .body("items.id", equalTo(List.of(first))).body("has_more", equalTo(false));
        as(owner).when().get("/api/v1/webhooks?limit=0").then().statusCode(400);
    }

    @Test
    void anUnknownEventTypeIsRefusedByName() {
        as(owner).body("{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\","
                        + " \"events\": [\"invocation.failed\", \"invocation.exploded\", \"deployment.*\"]}")
                .when().post("/api/v1/webhooks")
                .then().statusCode(400).contentType("application/problem+json")
                .body("error_code", equalTo("VALIDATION_ERROR"))
                .body("detail", containsString("invocation.exploded, deployment.*"))
                .body("unknown_events", equalTo(List.of("invocation.exploded", "deployment.*")));
        as(owner).when().get("/api/v1/webhooks").then().body("total", equalTo(0));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"\", \"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"Hook\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\"}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": []}",
            "{\"name\": \"Hook\", \"url\": \"ftp://hooks.example.com/in\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"Hook\", \"url\": \"http://169.254.169.254/latest\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"Hook\", \"url\": \"http://0x7f000001/\", \"events\": [\"agent.*\"]}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"], \"signing\": \"md5\"}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"], \"status\": \"paused\"}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"], \"secret\": \"whsec_mine\"}",
            "{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": [null]}",
            "{\"name\": 7, \"url\": \"https://hooks.example.com/in\", \"events\": \"agent.*\"}",
            "{not json" })
    void anInvalidCreationIsA400Problem(String body) {
        as(owner).body(body).when().post("/api/v1/webhooks")
                .then().statusCode(400).contentType("application/problem+json");
        as(owner).when().get("/api/v1/webhooks").then().body("total", equalTo(0));
    }

    @Test
    void overlongFieldsAreRefused() {
        String longName = "n".repeat(101);
        as(owner).body(Map.of("name", longName, "url", "https://hooks.example.com/in", "events", List.of("agent.*")))
                .when().post("/api/v1/webhooks").then().statusCode(400)
                .body("detail", equalTo("Field 'name' must be 1 to 100 characters"));
        as(owner).body(Map.of("name", "Hook", "url", "https://hooks.example.com/" + "p".repeat(2100),
                        "events", List.of("agent.*")))
                .when().post("/api/v1/webhooks").then().statusCode(400);
        as(owner).body(Map.of("name", "Hook", "url", "https://hooks.example.com/in", "events", List.of("agent.*"),
                        "description", "d".repeat(1001)))
                .when().post("/api/v1/webhooks").then().statusCode(400);
        String id = as(owner).body(Map.of("name", "n".repeat(100), "url", "https://hooks.example.com/in",
                        "events", List.of("agent.*")))
                .when().post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
        // as long as the documents count it: 100 characters, 200 UTF-16 units
        as(owner).body(Map.of("name", "😀".repeat(100), "url", "https://hooks.example.com/in", "events",
                        List.of("agent.*"), "description", "𝄞".repeat(1000)))
                .when().post("/api/v1/webhooks").then().statusCode(201).body("name", equalTo("😀".repeat(100)));
        as(owner).body(Map.of("name", "😀".repeat(101), "url", "https://hooks.example.com/in", "events",
                        List.of("agent.*")))
                .when().post("/api/v1/webhooks").then().statusCode(400);
        as(owner).body(Map.of("event_type", "agent.updated", "sample_data", Map.of("note", "s".repeat(16_384))))
                .when().post("/api/v1/webhooks/{id}/test", id).then().statusCode(400)
                .body("detail", equalTo("Field 'sample_data' must be at most 16384 characters of JSON"));
    }

    @Test
    void theEventCatalogueListsEveryGroup() {
        as(owner).when().get("/api/v1/webhooks/events").then().statusCode(200)
                .body("events.name", hasItem("invocation.failed"))
                .body("events.name", hasItem("budget.threshold_crossed"))
                .body("events.name", hasItem("approval.requested"))
                .body("events.name", hasItem("webhook.disabled"))
                .body("events.name", hasItem("agent.registered"))
                .body("events.name", not(hasItem("decision.evaluated")))
                .body("events.find { it.name == 'invocation.failed' }.type", equalTo("kaizen.invocation.failed.v1"))
                .body("events.description", everyItem(not(nullValue())));
    }

    @Test
    void withoutTheWebhookPermissionsTheApiIsForbidden() {
        String viewer = DevStackTestResource.stack().keys().token(owner.organizationId, List.of("viewer"), "viewer-1",
                null, Duration.ofMinutes(15));
        given().auth().oauth2(viewer).when().get("/api/v1/webhooks").then().statusCode(403);
        given().auth().oauth2(viewer).contentType(ContentType.JSON)
                .body("{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": [\"agent.*\"]}")
                .when().post("/api/v1/webhooks").then().statusCode(403);
        given().when().get("/api/v1/webhooks").then().statusCode(401);
    }

    @Test
    void theSecretReachesNoLogLine() {
        try (CapturedLogs capture = CapturedLogs.open()) {
            Response created = as(owner).body("{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\","
                    + " \"events\": [\"agent.*\"]}").when().post("/api/v1/webhooks").then().statusCode(201)
                    .extract().response();
            String id = created.path("id");
            String secret = created.path("secret");
            String rotated = as(owner).when().post("/api/v1/webhooks/{id}/rotate-secret", id).then().statusCode(200)
                    .extract().path("secret");
            as(owner).body("{\"event_type\": \"agent.updated\"}").when().post("/api/v1/webhooks/{id}/test", id)
                    .then().statusCode(202);
            assertThat(capture.lines()).noneMatch(line -> line.contains(secret) || line.contains(rotated)
                    || line.contains(secret.substring(6)) || line.contains(rotated.substring(6)));
        }
    }

    static RequestSpecification as(Invoker caller) {
        return given().auth().oauth2(caller.token()).contentType(ContentType.JSON);
    }

    private static String create(Invoker caller, String eventsJson) {
        return as(caller).body("{\"name\": \"Hook\", \"url\": \"https://hooks.example.com/in\", \"events\": "
                        + eventsJson + "}")
                .when().post("/api/v1/webhooks").then().statusCode(201).extract().path("id");
    }

    private static String storedSecret(String id) {
        try (Connection db = DevStackTestResource.stack().postgres().connect("gateway");
                PreparedStatement query = db.prepareStatement("select secret_ciphertext from webhook where id = ?")) {
            query.setString(1, id);
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
