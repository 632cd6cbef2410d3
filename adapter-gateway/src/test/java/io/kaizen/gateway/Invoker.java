package io.kaizen.gateway;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.kaizen.devstack.DevStackTestResource;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** A caller of one new organisation, invoking with the lineage headers every invocation needs. */
final class Invoker {

    /** The lineage headers every invocation carries. */
    static final Map<String, String> LINEAGE = Map.of(
            "X-External-User-ID", "ext-user-7",
            "X-External-User-Email", "jane.smith@company.example",
            "X-External-System", "copilot",
            "X-External-Session-ID", "copilot-session-1");

    final String organizationId = "org_" + UUID.randomUUID().toString().substring(0, 8);

    String token() {
        return token("user-" + organizationId, null);
    }

    /** A token of this organisation for that subject and team. */
    String token(String subject, String teamId) {
        return DevStackTestResource.stack().keys().token(organizationId, List.of("org_owner"), subject, teamId,
                Duration.ofMinutes(15));
    }

    /** A token of this organisation with further claims of any JSON type. */
    String tokenWith(Map<String, Object> claims) {
        return DevStackTestResource.stack().keys().tokenWithClaims(organizationId, List.of("org_owner"),
                "user-" + organizationId, claims, Duration.ofMinutes(15), io.kaizen.devstack.DevKeys.AUDIENCE);
    }

    /** An agent of this organisation at that endpoint, known to the registry stand-in. */
    String agent(String endpointUrl) {
        return InternalApiStandIn.shared().agent(organizationId, endpointUrl);
    }

    /** An agent of this organisation at that endpoint, calling out with these credentials. */
    String agent(String endpointUrl, String authType, Map<String, Object> credentials) {
        return InternalApiStandIn.shared().agent(organizationId, "custom_http", endpointUrl, authType, credentials);
    }

        RequestSpecification invoking() {
        return invoking(Map.of());
    }

    /** With these headers added to, or in place of, the lineage headers. */
    RequestSpecification invoking(Map<String, String> headers) {
        return invoking(token(), headers);
    }

    /** With that bearer token, and these headers added to, or in place of, the lineage headers. */
    RequestSpecification invoking(String token, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(LINEAGE);
        all.putAll(headers);
        return given().auth().oauth2(token).contentType(ContentType.JSON).headers(all)
                .body("{\"input\": \"hello\"}");
    }
}
