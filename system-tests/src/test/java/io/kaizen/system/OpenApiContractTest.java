package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.kaizen.system.OpenApiContract.Exchange;

/** The contract check finds each kind of mismatch between an exchange and the document that describes it. */
class OpenApiContractTest {

    private static final String DOCUMENT = """
            {"openapi": "3.1.0",
             "paths": {
               "/api/v1/things/{id}": {
                 "get": {"responses": {
                   "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                   "404": {"content": {"application/problem+json": {
                     "schema": {"$ref": "#/components/schemas/Problem"}}}}}},
                 "patch": {
                   "parameters": [{"name": "X-Trace", "in": "header", "required": true, "schema": {"type": "string"}}],
                   "requestBody": {"required": true, "content": {"application/json": {"schema": {
                     "type": "object", "properties": {"name": {"type": "string"}}}}}},
                   "responses": {"200": {"content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
               "/api/v1/things/latest": {
                 "get": {"parameters": [{"name": "page", "in": "query", "schema": {"type": "string"}}],
                   "responses": {"204": {"description": "nothing"}}}}},
             "components": {"schemas": {
               "Thing": {"type": "object", "required": ["id", "cost_used", "note"], "properties": {
                 "id": {"type": "string"},
                 "cost_used": {"type": "number"},
                 "note": {"type": ["string", "null"]},
                 "status": {"type": "string", "enum": ["active", "inactive"]}}},
               "Problem": {"type": "object", "required": ["status", "error_code"], "additionalProperties": true,
                 "properties": {"status": {"type": "integer"}, "error_code": {"type": "string"}}}}}}
            """;

    private final OpenApiContract contract = OpenApiContract.of(Map.of("things", DOCUMENT));

    @Test
    void anExchangeTheDocumentDescribesPasses() {
        assertThat(contract.check(get("/api/v1/things/t1", 200,
                "{\"id\": \"t1\", \"cost_used\": 0.5, \"note\": null, \"status\": \"active\"}"))).isEmpty();
        assertThat(contract.check(new Exchange("PATCH", "/api/v1/things/t1", Map.of(), Set.of("x-trace"),
                "application/json; charset=UTF-8", "{\"name\": \"n\"}", 200, "application/json",
                "{\"id\": \"t1\", \"cost_used\": 1, \"note\": \"x\"}"))).isEmpty();
        assertThat(contract.check(get("/api/v1/things/t2", 404, "application/problem+json",
                "{\"status\": 404, \"error_code\": \"NOT_FOUND\", \"detail\": \"gone\"}"))).isEmpty();
    }

    @Test
    void aPropertyUnderAnotherNameIsAMismatch() {
        assertThat(contract.check(get("/api/v1/things/t1", 200, "{\"id\": \"t1\", \"costUsed\": 0.5, \"note\": null}")))
                .anySatisfy(violation -> assertThat(violation).contains("cost_used"))
                .anySatisfy(violation -> assertThat(violation).contains("costUsed"));
    }

    @Test
    void aNullWhereTheDocumentPromisesAValueIsAMismatch() {
        assertThat(contract.check(get("/api/v1/things/t1", 200, "{\"id\": null, \"cost_used\": 0.5, \"note\": null}")))
                .singleElement().asString().contains("id");
    }

    @Test
    void aValueOutsideTheEnumIsAMismatch() {
        assertThat(contract.check(get("/api/v1/things/t1", 200,
                "{\"id\": \"t1\", \"cost_used\": 0.5, \"note\": null, \"status\": \"deleted\"}"))).hasSize(1);
    }

    @Test
    void anUndeclaredStatusOrMediaTypeIsAMismatch() {
        assertThat(contract.check(get("/api/v1/things/t1", 409, "application/problem+json",
                "{\"status\": 409, \"error_code\": \"CONFLICT\"}")))
                .singleElement().asString().contains("status 409 is not declared");
        assertThat(contract.check(get("/api/v1/things/t1", 404, "application/json",
                "{\"status\": 404, \"error_code\": \"NOT_FOUND\"}")))
                .singleElement().asString().contains("media type application/json is not declared");
    }

    @Test
    void anAcceptedRequestMustBeDescribedTooButARefusedOneNeedNotBe() {
        Exchange accepted = new Exchange("PATCH", "/api/v1/things/t1", Map.of(), Set.of(), "application/json",
                "{\"nickname\": \"n\"}", 200, "application/json", "{\"id\": \"t1\", \"cost_used\": 1, \"note\": null}");
        assertThat(contract.check(accepted))
                .anySatisfy(violation -> assertThat(violation).contains("nickname"))
                .anySatisfy(violation -> assertThat(violation).contains("X-Trace"));
        assertThat(contract.check(new Exchange("GET", "/api/v1/things/latest", Map.of("pages", List.of("2")), Set.of(),
                null, "", 204, null, ""))).singleElement().asString().contains("'pages' is not declared");

        Exchange refused = new Exchange("PATCH", "/api/v1/things/t1", Map.of(), Set.of(), "application/json",
                "{\"nickname\": \"n\"}", 400, "application/problem+json", "{\"status\": 400, \"error_code\": \"X\"}");
        assertThat(contract.check(refused)).singleElement().asString().contains("status 400 is not declared");
    }

    @Test
    void aPathNoDocumentDescribesMayOnlyBeRefused() {
        assertThat(contract.check(get("/api/v1/other", 200, "{}")))
                .singleElement().asString().contains("no document describes GET /api/v1/other");
        assertThat(contract.check(get("/api/v1/other", 404, "application/problem+json",
                "{\"status\": 404, \"error_code\": \"NOT_FOUND\"}"))).isEmpty();
        assertThat(contract.check(get("/api/v1/other", 404, "text/plain", "no"))).hasSize(1);
    }

    @Test
    void theMostLiteralTemplateDescribesAPath() {
        assertThat(contract.check(get("/api/v1/things/latest", 204, null, ""))).isEmpty();
    }

    private static Exchange get(String path, int status, String body) {
        return get(path, status, "application/json", body);
    }

    private static Exchange get(String path, int status, String contentType, String body) {
        return new Exchange("GET", path, Map.of(), Set.of(), null, "", status, contentType, body);
    }
}
