package io.kaizen.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The reference check finds each way the API reference can fall behind the served documents. */
class ApiReferenceTest {

    private static final String DOCUMENT = """
            {"openapi": "3.1.0", "paths": {
              "/api/v1/things": {
                "post": {"responses": {"201": {}, "400": {}, "401": {}}}},
              "/api/v1/things/{id}": {
                "get": {"responses": {"200": {}, "404": {}}},
                "delete": {"responses": {"204": {}, "404": {}}}},
              "/api/v1/things/settings": {
                "get": {"responses": {"200": {}}}},
              "/internal/v1/things/{id}": {
                "get": {"responses": {"200": {}}}}}}
            """;

    private static final Map<String, String> DOCUMENTS = Map.of("things", DOCUMENT);

    private static final String COMPLETE = """
            # Things

            Create one with `POST /api/v1/things`, read it back with `GET /api/v1/things/{id}`.

            ## Things

            ### `POST /api/v1/things`

            Statuses: 201, 400, 401

            ```bash
            THING=$(curl -s "$KAIZEN/api/v1/things" -H "Authorization: Bearer $TOKEN" \\
              -H 'Content-Type: application/json' -d '{"name": "a"}' | jq -r .id)
            ```
            ```http
            HTTP/1.1 201 Created
            ```

            ### `GET /api/v1/things/{id}`

            **Statuses:** 200, 404

            ```bash
            curl -s "$KAIZEN/api/v1/things/$THING" -H "Authorization: Bearer $TOKEN"
            ```
            ```http
            HTTP/1.1 200 OK
            ```

            ### `DELETE /api/v1/things/{id}`

            Statuses: 204; 404

            ```bash
            curl -s -X DELETE "$KAIZEN/api/v1/things/$THING" -H "Authorization: Bearer $TOKEN"
            ```
            ```http
            HTTP/1.1 204 No Content
            ```

            ### `GET /api/v1/things/settings`

            Statuses: 200

            ```bash
            curl -s http://localhost:8080/api/v1/things/settings -H "Authorization: Bearer $TOKEN"
            ```
            ```http
            HTTP/1.1 200 OK
            ```

            ### `GET /internal/v1/things/{id}`

            Statuses: 200

            ```bash
            curl -s "http://localhost:8081/internal/v1/things/$THING" -H "X-Kaizen-Service-Token: $SERVICE_TOKEN"
            ```
            ```http
            HTTP/1.1 200 OK
            ```
            """;

    @Test
    void aReferenceCoveringEveryOperationPasses() {
        assertThat(ApiReference.parse(COMPLETE).mismatches(DOCUMENTS)).isEmpty();
    }

    @Test
    void anOperationWithoutASectionIsReported() {
        String reference = COMPLETE.substring(0, COMPLETE.indexOf("### `GET /internal/v1/things/{id}`"));
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .containsExactly("GET /internal/v1/things/{id}: served but has no section with a curl example in "
                        + "api-reference.md");
    }

    @Test
    void aSectionWithoutItsCurlIsReported() {
        // the example calls the {id} operation's neighbour: a literal segment is not an instance of a variable
        String reference = COMPLETE.replace("curl -s \"$KAIZEN/api/v1/things/$THING\" -H",
                "curl -s \"$KAIZEN/api/v1/things/settings\" -H");
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .singleElement().asString().contains("GET /api/v1/things/{id}", "no curl example");
    }

    @Test
    void aCurlOfAnotherMethodDoesNotCount() {
        String reference = COMPLETE.replace("curl -s -X DELETE \"$KAIZEN/api/v1/things/$THING\"",
                "curl -s \"$KAIZEN/api/v1/things/$THING\"");
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .singleElement().asString().contains("DELETE /api/v1/things/{id}", "no curl example");
    }

    @Test
    void aSectionWithoutAnAnswerIsReported() {
        String reference = COMPLETE.replace("```http\nHTTP/1.1 204 No Content\n```\n", "");
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .singleElement().asString().contains("DELETE /api/v1/things/{id}", "no answer");
    }

    @Test
    void statusesOtherThanTheDeclaredOnesAreReported() {
        String reference = COMPLETE.replace("Statuses: 201, 400, 401", "Statuses: 201, 400");
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .singleElement().asString().contains("POST /api/v1/things", "[201, 400]", "[201, 400, 401]");
        String missing = COMPLETE.replace("Statuses: 201, 400, 401", "");
        assertThat(ApiReference.parse(missing).mismatches(DOCUMENTS))
                .singleElement().asString().contains("POST /api/v1/things", "no 'Statuses:' line");
    }

    @Test
    void aSectionNoDocumentHasIsReported() {
        String reference = COMPLETE + """

                ### `PUT /api/v1/things/{id}`

                Statuses: 200

                ```bash
                curl -s -X PUT "$KAIZEN/api/v1/things/$THING" -d '{}'
                ```
                ```http
                HTTP/1.1 200 OK
                ```
                """;
        assertThat(ApiReference.parse(reference).mismatches(DOCUMENTS))
                .anySatisfy(m -> assertThat(m).contains("PUT /api/v1/things/{id}", "no served document has this operation"))
                .anySatisfy(m -> assertThat(m).startsWith("curl PUT /api/v1/things/$THING"))
                .hasSize(2);
    }

    @Test
    void aPathNamedInProseOrInACurlThatNoDocumentHasIsReported() {
        String prose = COMPLETE.replace("read it back with `GET /api/v1/things/{id}`",
                "list them with `GET /api/v1/things`");
        assertThat(ApiReference.parse(prose).mismatches(DOCUMENTS))
                .containsExactly("`GET /api/v1/things`: named in api-reference.md but no served document has it");

        String walk = COMPLETE + """

                ## A walk

                ```bash
                curl -s "$KAIZEN/api/v1/thing/$THING" -H "Authorization: Bearer $TOKEN"
                ```
                """;
        assertThat(ApiReference.parse(walk).mismatches(DOCUMENTS))
                .singleElement().asString().startsWith("curl GET /api/v1/thing/$THING: no served document");
    }

    @Test
    void aPathVariableMatchesOneNonEmptySegment() {
        assertThat(ApiReference.instance("/api/v1/things/{id}", "/api/v1/things/thg_1")).isTrue();
        assertThat(ApiReference.instance("/api/v1/things/{id}", "/api/v1/things/$THING")).isTrue();
        assertThat(ApiReference.instance("/api/v1/things/{id}", "/api/v1/things/")).isFalse();
        assertThat(ApiReference.instance("/api/v1/things/{id}", "/api/v1/things/a/b")).isFalse();
        assertThat(ApiReference.instance("/api/v1/things/settings", "/api/v1/things/$THING")).isFalse();
    }
}
