package io.kaizen.common.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.junit.jupiter.api.Test;

/** The document filter: required response fields, request-side copies, problem responses. */
class WireContractTest {

    private final OpenAPI document = OASFactory.createOpenAPI()
            .components(OASFactory.createComponents()
                    .addSchema("Settings", object("limit", "note"))
                    .addSchema("Patch", OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                            .addProperty("settings", ref("Settings")))
                    .addSchema("Page", object("items", "has_more")))
            .paths(OASFactory.createPaths().addPathItem("/things/{id}", OASFactory.createPathItem()
                    .PATCH(OASFactory.createOperation()
                            .requestBody(OASFactory.createRequestBody().content(json(ref("Patch"))))
                            .responses(OASFactory.createAPIResponses()
                                    .addAPIResponse("200", response().content(json(ref("Settings"))))
                                    .addAPIResponse("401", response().description("Not Authorized"))))
                    .GET(OASFactory.createOperation()
                            .responses(OASFactory.createAPIResponses()
                                    .addAPIResponse("200", response().content(json(ref("Page"))))
                                    .addAPIResponse("409", response().description("Taken"))))));

    @Test
    void everyPropertyOfAResponseIsRequiredButNoneOfARequest() {
        new WireContract().filterOpenAPI(document);
        Map<String, Schema> schemas = document.getComponents().getSchemas();

        assertThat(schemas.get("Page").getRequired()).containsExactly("items", "has_more");
        assertThat(schemas.get("Settings").getRequired()).containsExactly("limit", "note");
        assertThat(schemas.get("Patch").getRequired()).isNull();
        assertThat(schemas.get("Patch").getAdditionalPropertiesBoolean()).isFalse();
    }

    @Test
    void aResponseFieldLeftOutWhenItHasNoValueIsNotRequired() {
        document.getComponents().getSchemas().get("Page").getProperties().get("has_more")
                .addExtension(WireContract.OMITTED_WHEN_NULL, true);

        new WireContract().filterOpenAPI(document);

        assertThat(document.getComponents().getSchemas().get("Page").getRequired()).containsExactly("items");
    }

    @Test
    void anOptionalRequestFieldMayBeNullAndARequiredOneMayNot() {
        Schema body = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("name", string()).addProperty("mode", string().enumeration(java.util.List.of("a", "b")))
                .addProperty("tags", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(string()))
                .addProperty("settings", ref("Settings")).required(java.util.List.of("name"));
        operation("PATCH").getRequestBody().content(json(body));

        new WireContract().filterOpenAPI(document);

        assertThat(body.getProperties().get("name").getType()).containsExactly(Schema.SchemaType.STRING);
        assertThat(body.getProperties().get("mode").getType())
                .containsExactly(Schema.SchemaType.STRING, Schema.SchemaType.NULL);
        assertThat(body.getProperties().get("mode").getEnumeration()).containsExactly("a", "b", null);
        assertThat(body.getProperties().get("tags").getType())
                .containsExactly(Schema.SchemaType.ARRAY, Schema.SchemaType.NULL);
        assertThat(body.getProperties().get("settings").getAnyOf()).extracting(Schema::getRef, Schema::getType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("#/components/schemas/SettingsInput", null),
                        org.assertj.core.groups.Tuple.tuple(null, java.util.List.of(Schema.SchemaType.NULL)));
        assertThat(document.getComponents().getSchemas().get("SettingsInput").getProperties().get("limit").getType())
                .contains(Schema.SchemaType.NULL);
        assertThat(document.getComponents().getSchemas().get("Settings").getProperties().get("limit").getType())
                .doesNotContain(Schema.SchemaType.NULL);
    }

    @Test
    void aSchemaUsedBothWaysGetsARequestCopyThatRequestsReferTo() {
        new WireContract().filterOpenAPI(document);
        Map<String, Schema> schemas = document.getComponents().getSchemas();

        assertThat(schemas.get("SettingsInput").getRequired()).isNull();
        assertThat(schemas.get("SettingsInput").getAdditionalPropertiesBoolean()).isFalse();
        assertThat(schemas.get("Patch").getProperties().get("settings").getAnyOf().get(0).getRef())
                .isEqualTo("#/components/schemas/SettingsInput");
        assertThat(operation("PATCH").getResponses().getAPIResponse("200").getContent()
                .getMediaType("application/json").getSchema().getRef()).isEqualTo("#/components/schemas/Settings");
    }

    @Test
    void theListParametersAreDescribedByWhatTheyAcceptUnlessTheResourceSaidMore() {
        Operation list = operation("GET")
                .addParameter(query("page", string())).addParameter(query("limit", string()))
                .addParameter(query("from", string())).addParameter(query("end_date", string()))
                .addParameter(query("status", string()))
                .addParameter(OASFactory.createParameter().name("limit").in(Parameter.In.HEADER).schema(string()));
        operation("PATCH").addParameter(query("limit", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                .maximum(BigDecimal.valueOf(1000))));

        new WireContract().filterOpenAPI(document);

        Schema page = list.getParameters().get(0).getSchema();
        assertThat(page.getType()).containsExactly(Schema.SchemaType.INTEGER);
        assertThat(page.getMinimum()).isEqualByComparingTo("1");
        assertThat(page.getMaximum()).isEqualByComparingTo("1000000");
        assertThat(list.getParameters().get(1).getSchema().getMaximum()).isEqualByComparingTo("100");
        assertThat(list.getParameters().get(2).getSchema().getFormat()).isEqualTo("date-time");
        assertThat(list.getParameters().get(3).getSchema().getFormat()).isEqualTo("date-time");
        assertThat(list.getParameters().get(4).getSchema().getType()).containsExactly(Schema.SchemaType.STRING);
        assertThat(list.getParameters().get(4).getSchema().getFormat()).isNull();
        assertThat(list.getParameters().get(4).getSchema().getPattern()).isEqualTo(WireContract.NO_CONTROL);
        assertThat(list.getParameters().get(5).getSchema().getType()).containsExactly(Schema.SchemaType.STRING);
        assertThat(list.getParameters().get(5).getSchema().getPattern()).isNull();
        assertThat(operation("PATCH").getParameters().get(0).getSchema().getMaximum()).isEqualByComparingTo("1000");
    }

    @Test
    void aRequestBodyDeclaredInPlaceIsClosedToUnknownFields() {
        Schema inline = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).addProperty("name", string())
                .addRequired("name");
        operation("GET").requestBody(OASFactory.createRequestBody().content(json(inline)));

        new WireContract().filterOpenAPI(document);

        assertThat(inline.getAdditionalPropertiesBoolean()).isFalse();
        assertThat(inline.getRequired()).containsExactly("name");
    }

    @Test
    void requestTextHoldsNoNulAndAPathParameterIsOneCanonicalSegment() {
        Schema tags = OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(string());
        Schema body = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("note", string()).addProperty("tags", tags)
                .addProperty("name", string().pattern("\\S"))
                .addProperty("code", string().pattern("^[a-z]+$"))
                .addProperty("at", string().format("date-time"))
                .addProperty("mode", string().enumeration(java.util.List.of("a")));
        Operation patch = operation("PATCH").requestBody(OASFactory.createRequestBody().content(json(body)))
                .addParameter(OASFactory.createParameter().name("id").in(Parameter.In.PATH).schema(string()));

        new WireContract().filterOpenAPI(document);

        assertThat(body.getProperties().get("note").getPattern()).isEqualTo(WireContract.NO_NUL);
        assertThat(tags.getItems().getPattern()).isEqualTo(WireContract.NO_NUL);
        assertThat(body.getProperties().get("name").getPattern()).isEqualTo(WireContract.NOT_BLANK);
        assertThat(body.getProperties().get("code").getPattern()).isEqualTo("^[a-z]+$");
        assertThat(body.getProperties().get("at").getPattern()).isNull();
        assertThat(body.getProperties().get("mode").getPattern()).isNull();
        assertThat(document.getComponents().getSchemas().get("Page").getProperties().get("items").getPattern())
                .as("a response").isNull();
        assertThat(patch.getParameters().get(0).getSchema().getPattern()).isEqualTo(WireContract.PATH_SEGMENT);
    }

    @Test
    void theTextPatternsSayWhatTheServicesRefuse() {
        assertThat("note").matches(WireContract.NO_NUL);
        assertThat("no\u0000te").doesNotMatch(WireContract.NO_NUL);
        for (String blank : java.util.List.of("", " ", "\t\n", "\u001f", "\u3000\u2028")) {
            assertThat(blank.isBlank()).isTrue();
            assertThat(blank).doesNotMatch(WireContract.NOT_BLANK);
        }
        for (String text : java.util.List.of("a", " a ", "\u00a0", "\ufeff", "\u2007", "é☃𝄞")) {
            assertThat(text.isBlank()).isFalse();
            assertThat(text).matches(WireContract.NOT_BLANK);
        }
        assertThat("a\u0000").doesNotMatch(WireContract.NOT_BLANK);
        for (int c = 0; c <= 0xFFFF; c++) {
            String text = String.valueOf((char) c);
            if (c != 0 && !Character.isSurrogate((char) c)) {
                assertThat(text.matches(WireContract.NOT_BLANK)).as("U+%04X", c).isEqualTo(!text.isBlank());
            }
        }
        assertThat("a\u0007b").doesNotMatch(WireContract.NO_CONTROL);
        assertThat("agt_1").matches(WireContract.PATH_SEGMENT);
        for (String bad : java.util.List.of(".", "..", "a/b", "a\\b", "a\nb", "")) {
            assertThat(bad).doesNotMatch(WireContract.PATH_SEGMENT);
        }
    }

    private static Parameter query(String name, Schema schema) {
        return OASFactory.createParameter().name(name).in(Parameter.In.QUERY).schema(schema);
    }

    private static Schema string() {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING);
    }

    @Test
    void everyErrorIsAProblemDocumentAndTheCommonOnesAreListed() {
        new WireContract().filterOpenAPI(document);

        assertThat(operation("PATCH").getResponses().getAPIResponses().keySet())
                .containsExactly("200", "400", "401", "404", "413", "414", "415", "431", "500", "503");
        assertThat(operation("GET").getResponses().getAPIResponses().keySet())
                .containsExactly("200", "400", "401", "404", "409", "414", "431", "500", "503");
        APIResponse conflict = operation("GET").getResponses().getAPIResponse("409");
        assertThat(conflict.getDescription()).isEqualTo("Taken");
        assertThat(conflict.getContent().getMediaType("application/problem+json").getSchema().getRef())
                .isEqualTo("#/components/schemas/Problem");
        assertThat(operation("PATCH").getResponses().getAPIResponse("401").getDescription())
                .isEqualTo("Missing or invalid credentials");
        assertThat(document.getComponents().getSchemas().get("Problem").getRequired())
                .containsExactly("type", "title", "status", "detail", "instance", "error_code", "request_id");
    }

    private Operation operation(String method) {
        var item = document.getPaths().getPathItem("/things/{id}");
        return "GET".equals(method) ? item.getGET() : item.getPATCH();
    }

    private static Schema object(String... properties) {
        Schema schema = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT);
        for (String property : properties) {
            schema.addProperty(property, OASFactory.createSchema().addType(Schema.SchemaType.STRING));
        }
        return schema;
    }

    private static APIResponse response() {
        return OASFactory.createAPIResponse();
    }

    private static Schema ref(String name) {
        return OASFactory.createSchema().ref(name);
    }

    private static Content json(Schema schema) {
        return OASFactory.createContent().addMediaType("application/json", OASFactory.createMediaType().schema(schema));
    }
}
