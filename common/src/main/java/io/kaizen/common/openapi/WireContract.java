package io.kaizen.common.openapi;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.kaizen.common.problem.ErrorCode;
import io.kaizen.common.problem.ProblemMapper;
import io.kaizen.common.rest.Paging;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Makes every service's OpenAPI document describe what goes over the wire, in one place, so that records and
 * resources carry annotations only for what the code cannot tell the scanner: which fields may be null, which
 * statuses an operation answers besides the common ones, and the domain fields of its problems. Property names
 * are snake_case through {@code mp.openapi.extensions.smallrye.property-naming-strategy} (common's
 * microprofile-config.properties), the same Jackson strategy that writes the bodies.
 * <ul>
 * <li>Every property of a response body is {@code required}: Jackson writes every field, null or not
 * ({@code quarkus.jackson.serialization-inclusion=always}), except a field written only when it has a value
 * ({@code @JsonInclude(NON_NULL)}), which says so with the extension {@value #OMITTED_WHEN_NULL}.</li>
 * <li>A schema used by both requests and responses is split: requests get a copy named {@code <Name>Input} that
 * keeps only the required fields the code validates, since request fields are otherwise optional. Request objects
 * have no other properties than their own: an unknown field is refused. An optional request field may be
 * {@code null}, which is read as absent.</li>
 * <li>Every error is an RFC 9457 {@code application/problem+json} body ({@value #PROBLEM}): each operation lists
 * the errors any operation can give (400, 401, 403 when it needs a permission, 404 when its path names a resource,
 * 413 and 415 when it takes a body, 414 and 431 for a request target or headers over the limits, 500, 503) plus the
 * ones its resource declares with {@code @APIResponse}. A declared error with a schema of its own gets the problem
 * fields added to that schema (the domain fields of the problem).</li>
 * </ul>
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class WireContract implements OASFilter {

    static final String PROBLEM = "Problem";
    static final String INPUT_SUFFIX = "Input";
    /** Marks a response field that is left out, not written as null, when it has no value. */
    public static final String OMITTED_WHEN_NULL = "x-omitted-when-null";
    private static final String REF = "#/components/schemas/";
    /**
     * Text that is not blank as Java reads it ({@code String.isBlank}: only {@code Character.isWhitespace}
     * characters) and holds no NUL; the documents' {@code \\S} ({@code @NotBlank}) is replaced by it, since
     * JavaScript's whitespace is not Java's.
     */
    public static final String NOT_BLANK = "^[^\\u0000]*[^\\u0000\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u1680"
            + "\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000][^\\u0000]*$";
    /** Request text: anything but NUL. */
    static final String NO_NUL = "^[^\\u0000]*$";
    /** Query values: no control character ({@code CanonicalPathGuard}). */
    static final String NO_CONTROL = "^[^\\u0000-\\u001F\\u007F]*$";
    /** A path segment: no control character, no separator, not a dot segment ({@code CanonicalPathGuard}). */
    static final String PATH_SEGMENT = "^(?!\\.\\.?$)[^\\u0000-\\u001F\\u007F/\\\\]+$";

    private static final Map<String, String> COMMON_ERRORS = Map.of(
            "400", "The request is malformed or invalid",
            "401", "Missing or invalid credentials",
            "403", "The credentials lack the permission this operation needs",
            "404", "No such resource in the caller's organisation",
            "413", "The request body is larger than 1 MiB",
            "414", "The request target (path and query) is longer than 4,096 characters",
            "415", "The request body is not application/json",
            "431", "The request headers take more than 20 KiB",
            "500", "Internal error",
            "503", "A backing service or store is unreachable; retry later");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        Components components = openAPI.getComponents();
        Map<String, Schema> schemas = new TreeMap<>(
                components.getSchemas() == null ? Map.of() : components.getSchemas());
        List<Operation> operations = new ArrayList<>();
        Map<Operation, String> paths = new IdentityHashMap<>();
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            openAPI.getPaths().getPathItems().forEach((path, item) -> operationsOf(item).forEach(operation -> {
                operations.add(operation);
                paths.put(operation, path);
            }));
        }

        Set<String> inputs = new TreeSet<>();
        Set<String> outputs = new TreeSet<>();
        for (Operation operation : operations) {
            requestSchemas(operation).forEach(schema -> collectReferences(schema, schemas, inputs));
            successSchemas(operation).forEach(schema -> collectReferences(schema, schemas, outputs));
        }
        schemas.values().forEach(WireContract::dropTypeBesideReference);
        operations.forEach(operation -> {
            requestSchemas(operation).forEach(WireContract::dropTypeBesideReference);
            successSchemas(operation).forEach(WireContract::dropTypeBesideReference);
        });
        splitShared(operations, schemas, inputs, outputs).forEach(name -> asRequest(schemas.get(name)));
        // a request body declared in place (a create that requires what its patch leaves optional) is read alike
        operations.forEach(operation -> requestSchemas(operation).forEach(WireContract::asRequest));
        outputs.forEach(name -> requireEveryProperty(schemas.get(name)));

        schemas.put(PROBLEM, problem());
        for (Operation operation : operations) {
            describeProblems(operation, paths.get(operation), schemas);
            describeParameters(operation);
        }
        components.setSchemas(schemas);
    }

    private static List<Operation> operationsOf(PathItem item) {
        return item.getOperations() == null ? List.of() : new ArrayList<>(item.getOperations().values());
    }

    private static List<Schema> requestSchemas(Operation operation) {
        if (operation.getRequestBody() == null) {
            return List.of();
        }
        return schemasOf(operation.getRequestBody().getContent());
    }

    private static List<Schema> successSchemas(Operation operation) {
        List<Schema> found = new ArrayList<>();
        responses(operation).forEach((code, response) -> {
            if (code.startsWith("2")) {
                found.addAll(schemasOf(response.getContent()));
            }
        });
        return found;
    }

    private static Map<String, APIResponse> responses(Operation operation) {
        if (operation.getResponses() == null || operation.getResponses().getAPIResponses() == null) {
            return Map.of();
        }
        return operation.getResponses().getAPIResponses();
    }

    private static List<Schema> schemasOf(Content content) {
        if (content == null || content.getMediaTypes() == null) {
            return List.of();
        }
        return content.getMediaTypes().values().stream().map(MediaType::getSchema)
                .filter(Objects::nonNull).toList();
    }

    /** Adds the component names a schema refers to, directly or through the components it reaches. */
    private static void collectReferences(Schema root, Map<String, Schema> schemas, Set<String> names) {
        eachSchema(root, schema -> {
            String ref = schema.getRef();
            if (ref != null && ref.startsWith(REF)) {
                String name = ref.substring(REF.length());
                if (names.add(name) && schemas.containsKey(name)) {
                    collectReferences(schemas.get(name), schemas, names);
                }
            }
        });
    }

    /** Calls the action on the schema and on every schema written inside it (references are not followed). */
    private static void eachSchema(Object value, Consumer<Schema> action) {
        if (value instanceof Schema schema) {
            action.accept(schema);
            schema.getAll().values().forEach(child -> eachSchema(child, action));
        } else if (value instanceof List<?> list) {
            list.forEach(child -> eachSchema(child, action));
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(child -> eachSchema(child, action));
        }
    }

    /**
     * Gives requests their own copy of each schema that responses use too, and points every request-side reference
     * at it, so that the response side can require every property. Answers the names of the request-side schemas.
     */
    private static Set<String> splitShared(List<Operation> operations, Map<String, Schema> schemas, Set<String> inputs,
            Set<String> outputs) {
        Set<String> shared = new TreeSet<>(inputs);
        shared.retainAll(outputs);
        // only objects differ by direction: a string or an enum reads the same both ways
        shared.removeIf(name -> !schemas.containsKey(name) || schemas.get(name).getProperties() == null);
        Set<String> requestSide = new TreeSet<>(inputs);
        shared.forEach(name -> {
            requestSide.remove(name);
            requestSide.add(name + INPUT_SUFFIX);
        });
        if (shared.isEmpty()) {
            return requestSide;
        }
        for (String name : shared) {
            schemas.put(name + INPUT_SUFFIX, (Schema) copy(schemas.get(name)));
        }
        for (String name : inputs) {
            String target = shared.contains(name) ? name + INPUT_SUFFIX : name;
            if (schemas.containsKey(target)) {
                redirect(schemas.get(target), shared);
            }
        }
        for (Operation operation : operations) {
            requestSchemas(operation).forEach(schema -> redirect(schema, shared));
        }
        return requestSide;
    }

    private static void redirect(Schema root, Set<String> shared) {
        eachSchema(root, schema -> {
            String ref = schema.getRef();
            if (ref != null && ref.startsWith(REF) && shared.contains(ref.substring(REF.length()))) {
                schema.setRef(ref + INPUT_SUFFIX);
            }
        });
    }

    /**
     * {@code @Schema(implementation = AnEnum.class)} on a String field gives {@code $ref} plus {@code type: object};
     * the type contradicts the referenced schema, and a reference says all there is to say.
     */
    private static void dropTypeBesideReference(Schema root) {
        eachSchema(root, schema -> {
            if (schema.getRef() != null && schema.getType() != null) {
                schema.setType(null);
            }
        });
    }

    private static Object copy(Object value) {
        if (value instanceof Schema schema) {
            Schema copy = OASFactory.createSchema();
            schema.getAll().forEach((key, child) -> copy.set(key, copy(child)));
            if (schema.getAdditionalPropertiesBoolean() != null) {
                // the generic copy would turn a boolean into an empty schema
                copy.setAdditionalPropertiesBoolean(schema.getAdditionalPropertiesBoolean());
            }
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(child -> copy.add(copy(child)));
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, child) -> copy.put(key, copy(child)));
            return copy;
        }
        return value;
    }

    /**
     * A request body with a field its record does not have is refused
     * ({@code quarkus.jackson.fail-on-unknown-properties}); a record that reads leniently says so with
     * {@code @Schema(additionalProperties = Schema.True.class)}.
     */
    private static void refuseUnknownProperties(Schema schema) {
        if (schema != null && schema.getProperties() != null && schema.getAdditionalPropertiesBoolean() == null
                && schema.getAdditionalPropertiesSchema() == null) {
            schema.setAdditionalPropertiesBoolean(Boolean.FALSE);
        }
    }

    /**
     * A request object as Jackson reads it: no unknown field, null for an optional field is absent, and no text holds
     * a NUL character.
     */
    private static void asRequest(Schema schema) {
        refuseUnknownProperties(schema);
        allowNullForOptional(schema);
        eachSchema(schema, WireContract::describeText);
    }

    /**
     * Request text as Java reads it: "not blank" ({@code @NotBlank}, written {@code \\S}) is {@link #NOT_BLANK}, and
     * text never holds a NUL character ({@code StrictJson}: PostgreSQL cannot store it). A text with a pattern of its
     * own or a format says so through it; an enumeration needs nothing.
     */
    private static void describeText(Schema schema) {
        if ("\\S".equals(schema.getPattern())) {
            schema.setPattern(NOT_BLANK);
        }
        if (schema.getType() != null && schema.getType().contains(Schema.SchemaType.STRING) && schema.getRef() == null
                && schema.getPattern() == null && schema.getFormat() == null && schema.getEnumeration() == null) {
            schema.setPattern(NO_NUL);
        }
    }

    /**
     * A request field given {@code null} is read as absent (the record's component is null either way), so an
     * optional field of a request says it may be null; a required one may not.
     */
    private static void allowNullForOptional(Schema schema) {
        if (schema == null || schema.getProperties() == null) {
            return;
        }
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        Map<String, Schema> properties = new LinkedHashMap<>(schema.getProperties());
        properties.forEach((name, property) -> {
            List<Schema.SchemaType> types = property.getType();
            if (required.contains(name)) {
                return;
            } else if (property.getRef() != null) {
                schema.addProperty(name, OASFactory.createSchema().anyOf(List.of(property,
                        OASFactory.createSchema().addType(Schema.SchemaType.NULL))));
            } else if (types != null && !types.isEmpty() && !types.contains(Schema.SchemaType.NULL)) {
                property.addType(Schema.SchemaType.NULL);
                if (property.getEnumeration() != null && !property.getEnumeration().contains(null)) {
                    List<Object> values = new ArrayList<>(property.getEnumeration());
                    values.add(null);
                    property.setEnumeration(values);
                }
            }
        });
    }

    private static void requireEveryProperty(Schema schema) {
        if (schema != null && schema.getProperties() != null && !schema.getProperties().isEmpty()) {
            List<String> required = new ArrayList<>();
            schema.getProperties().forEach((name, property) -> {
                if (property.getExtensions() == null || !property.getExtensions().containsKey(OMITTED_WHEN_NULL)) {
                    required.add(name);
                }
            });
            schema.setRequired(required);
        }
    }

    /** RFC 9457 problem details as {@link ProblemMapper} writes them; problem types may add members. */
    private static Schema problem() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", string().format("uri").description("Identifies the problem type"));
        properties.put("title", string().description("The status code's reason phrase"));
        properties.put("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32"));
        properties.put("detail", string().description("What went wrong, for a human; never a secret"));
        properties.put("instance", string().description("The request path"));
        properties.put("error_code", string().enumeration(Arrays.stream(ErrorCode.values())
                .map(code -> (Object) code.name()).toList()));
        properties.put("request_id", string().description("The caller's X-Request-ID, or one generated"));
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("An error (RFC 9457 problem details); a problem type may add domain fields.")
                .properties(properties)
                .required(new ArrayList<>(properties.keySet()))
                .additionalPropertiesBoolean(Boolean.TRUE);
    }

    /**
     * The query parameters every list reads from text ({@code rest.Paging}, {@code rest.QueryTime}) as what they
     * accept: {@code page} a whole number from 1, {@code limit} one from 1 to 100, the time bounds RFC 3339 date-times.
     * A resource that says more of one (another largest {@code limit}) declares its schema; only a bare string is
     * filled in here. Any other bare text of a path or query holds no control character, and a path parameter is one
     * segment that is not a dot segment ({@code CanonicalPathGuard} refuses the rest before any resource sees them).
     */
    private static void describeParameters(Operation operation) {
        if (operation.getParameters() == null) {
            return;
        }
        for (Parameter parameter : operation.getParameters()) {
            Schema schema = parameter.getSchema();
            boolean bareString = schema != null && schema.getRef() == null
                    && List.of(Schema.SchemaType.STRING).equals(schema.getType()) && schema.getFormat() == null
                    && schema.getEnumeration() == null && schema.getMaximum() == null && schema.getPattern() == null;
            boolean inUrl = parameter.getIn() == Parameter.In.QUERY || parameter.getIn() == Parameter.In.PATH;
            if (!inUrl || !bareString) {
                continue;
            }
            switch (parameter.getIn() == Parameter.In.QUERY ? parameter.getName() : "") {
                case "page" -> parameter.setSchema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                        .minimum(BigDecimal.ONE).maximum(BigDecimal.valueOf(Paging.MAX_PAGE)));
                case "limit" -> parameter.setSchema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                        .minimum(BigDecimal.ONE).maximum(BigDecimal.valueOf(100)));
                case "from", "to", "start_date", "end_date" -> schema.format("date-time");
                default -> schema.pattern(parameter.getIn() == Parameter.In.PATH ? PATH_SEGMENT : NO_CONTROL);
            }
        }
    }

    private static Schema string() {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING);
    }

    private static void describeProblems(Operation operation, String path, Map<String, Schema> schemas) {
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        List<String> common = new ArrayList<>(List.of("400", "401", "414", "431", "500", "503"));
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            common.add("403");
        }
        if (path.contains("{")) {
            common.add("404");
        }
        if (operation.getRequestBody() != null) {
            common.addAll(List.of("413", "415"));
        }
        for (String code : common) {
            if (responses.getAPIResponse(code) == null) {
                responses.addAPIResponse(code, OASFactory.createAPIResponse());
            }
        }
        Map<String, APIResponse> sorted = new TreeMap<>(responses.getAPIResponses());
        sorted.forEach((code, response) -> {
            if (code.compareTo("400") >= 0 && code.length() == 3 && Character.isDigit(code.charAt(0))) {
                asProblem(code, response, schemas);
            }
        });
        responses.setAPIResponses(sorted);
    }

    /** The response as a problem document: its own schema, if any, gains the problem fields. */
    private static void asProblem(String code, APIResponse response, Map<String, Schema> schemas) {
        String schemaRef = REF + PROBLEM;
        List<Schema> declared = schemasOf(response.getContent());
        if (!declared.isEmpty() && declared.get(0).getRef() != null && declared.get(0).getRef().startsWith(REF)) {
            String name = declared.get(0).getRef().substring(REF.length());
            Schema domain = schemas.get(name);
            if (domain != null && !PROBLEM.equals(name)) {
                withProblemFields(domain);
                schemaRef = REF + name;
            }
        }
        String description = response.getDescription();
        // Quarkus adds bare "Bad Request", "Not Authorized" and "Not Allowed" responses; say what they mean here
        if (description == null || description.isBlank() || description.startsWith("Not ")
                || description.equals("Bad Request")) {
            response.setDescription(COMMON_ERRORS.getOrDefault(code, "Error"));
        }
        response.setContent(OASFactory.createContent().addMediaType(ProblemMapper.PROBLEM_JSON,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(schemaRef))));
    }

    private static void withProblemFields(Schema domain) {
        Schema problem = problem();
        if (domain.getProperties() != null && domain.getProperties().containsKey("error_code")) {
            return;
        }
        Map<String, Schema> properties = new LinkedHashMap<>(problem.getProperties());
        if (domain.getProperties() != null) {
            properties.putAll(domain.getProperties());
        }
        List<String> required = new ArrayList<>(problem.getRequired());
        if (domain.getRequired() != null) {
            domain.getRequired().stream().filter(name -> !required.contains(name)).forEach(required::add);
        }
        domain.setType(List.of(Schema.SchemaType.OBJECT));
        domain.setProperties(properties);
        domain.setRequired(required);
        domain.setAdditionalPropertiesBoolean(Boolean.TRUE);
        if (domain.getDescription() == null) {
            domain.setDescription(problem.getDescription());
        }
    }
}
