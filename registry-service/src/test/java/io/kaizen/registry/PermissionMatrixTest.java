package io.kaizen.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kaizen.common.security.Permissions;
import io.kaizen.devstack.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Every role against every agent endpoint, in its own organisation and in another: 401/403/404 exactly where due. */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = @ResourceArg(name = "service", value = "registry"))
class PermissionMatrixTest {

    private static final String AGENTS = "/api/v1/external-agents";
    private static final String ORG = "org_" + UUID.randomUUID();
    private static String agentId;

    private static String token(String org, String role) {
        return DevStackTestResource.stack().keys().token(org, List.of(role), "matrix-" + role, null, Duration.ofMinutes(5));
    }

    /** The agent the calls act on, made on first use (RestAssured knows the test port only once tests run). */
    private static synchronized String agentId() {
        if (agentId != null) {
            return agentId;
        }
        agentId = given().auth().oauth2(token(ORG, "org_owner")).contentType(ContentType.JSON)
                .body("{\"name\": \"Target\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://t.example.com\"}")
                .when().post(AGENTS).then().statusCode(201).extract().path("id");
        return agentId;
    }

    private record Call(String permission, String method, String path, String body) {
    }

    private static List<Call> calls() {
        String agentId = agentId();
        String create = "{\"name\": \"m-" + UUID.randomUUID() + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://m.example.com\"}";
        return List.of(
                new Call(Permissions.AGENTS_CREATE, "POST", AGENTS, create),
                new Call(Permissions.AGENTS_READ, "GET", AGENTS, null),
                new Call(Permissions.AGENTS_READ, "GET", AGENTS + "/" + agentId, null),
                new Call(Permissions.AGENTS_UPDATE, "PATCH", AGENTS + "/" + agentId, "{\"description\": \"changed\"}"));
    }

    private static int status(String token, Call call) {
        RequestSpecification request = given().contentType(ContentType.JSON);
        if (token != null) {
            request.auth().oauth2(token);
        }
        if (call.body() != null) {
            request.body(call.body());
        }
        return request.when().request(call.method(), call.path()).then().extract().statusCode();
    }

    @ParameterizedTest
    @ValueSource(strings = { "org_owner", "org_admin", "developer", "approver", "auditor", "viewer", "stranger" })
    void eachRoleGetsExactlyWhatItsPermissionsAllow(String role) {
        Set<String> granted = Permissions.forRoles(List.of(role));
        for (Call call : calls()) {
            int own = status(token(ORG, role), call);
            int expected = !granted.contains(call.permission()) ? 403
                    : call.method().equals("POST") ? 201 : 200;
            assertThat(own).as(role + " " + call.method() + " " + call.path()).isEqualTo(expected);

            if (call.path().endsWith(agentId())) {
                int foreign = status(token("org_other_" + UUID.randomUUID(), role), call);
                assertThat(foreign).as(role + " from another organisation " + call.method() + " " + call.path())
                        .isEqualTo(granted.contains(call.permission()) ? 404 : 403);
            }
            assertThat(status(null, call)).as("anonymous " + call.method()).isEqualTo(401);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "org_owner", "org_admin", "developer", "approver", "auditor", "viewer" })
    void deletingNeedsTheDeletePermission(String role) {
        String id = given().auth().oauth2(token(ORG, "org_owner")).contentType(ContentType.JSON)
                .body("{\"name\": \"del-" + role + "\", \"platform\": \"custom_http\", \"endpoint_url\": \"https://d.example.com\"}")
                .when().post(AGENTS).then().statusCode(201).extract().path("id");
        boolean allowed = Permissions.forRoles(List.of(role)).contains(Permissions.AGENTS_DELETE);
        assertThat(given().auth().oauth2(token("org_elsewhere", role)).when().delete(AGENTS + "/" + id)
                .then().extract().statusCode()).isEqualTo(allowed ? 404 : 403);
        assertThat(given().auth().oauth2(token(ORG, role)).when().delete(AGENTS + "/" + id)
                .then().extract().statusCode()).isEqualTo(allowed ? 204 : 403);
    }
}
