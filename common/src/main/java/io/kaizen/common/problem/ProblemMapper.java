package io.kaizen.common.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.kaizen.common.consumer.FailureKind;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where errors become RFC 9457 problem details ({@code application/problem+json}) with
 * {@code error_code} and {@code request_id}. Bodies never carry stack traces or rejected values.
 */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final ObjectMapper mapper;

    public ProblemMapper(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        Response.ResponseBuilder builder = build(e.status(), e.errorCode(), e.getMessage(), e.fields(), request);
        e.headers().forEach(builder::header);
        return builder.build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpServerRequest request) {
        return respond(400, ErrorCode.VALIDATION_ERROR, describe(e), request);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, HttpServerRequest request) {
        return respond(400, ErrorCode.VALIDATION_ERROR, describe(e), request);
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, HttpServerRequest request) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", leaf(v.getPropertyPath().toString()), "message", v.getMessage()))
                .toList();
        String detail = violations.stream().map(v -> v.get("field") + " " + v.get("message"))
                .collect(Collectors.joining("; "));
        return build(400, ErrorCode.VALIDATION_ERROR, "Validation error: " + detail,
                Map.of("violations", violations), request).build();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, HttpServerRequest request) {
        return unauthenticated(request);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, HttpServerRequest request) {
        return unauthenticated(request);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return respond(403, ErrorCode.FORBIDDEN, "The credentials lack the permission this operation needs", request);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            // the JSON reader wraps parse and binding errors in a plain 400
            return respond(400, ErrorCode.VALIDATION_ERROR, describe(json), request);
        }
        if (status >= 500) {
            LOG.errorf(e, "request %s %s failed", request.method(), request.path());
            return respond(500, ErrorCode.INTERNAL_ERROR, "Internal error", request);
        }
        String detail = switch (status) {
            case 404 -> "No resource at " + request.path();
            case 405 -> "Method " + request.method() + " is not allowed on " + request.path();
            case 406 -> "The requested media type cannot be produced";
            case 413 -> "Request body is too large";
            case 415 -> "Content type must be application/json";
            default -> e.getMessage() == null ? "Bad request" : e.getMessage();
        };
        return respond(status, ErrorCode.forStatus(status), detail, request);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpServerRequest request) {
        if (isStoreUnreachable(e)) {
            LOG.warnf("request %s %s failed: a backing store is unreachable (%s)", request.method(), request.path(),
                    e.toString());
            return build(503, ErrorCode.INTERNAL_ERROR, "Service temporarily unavailable; retry later", Map.of(),
                    request).header("Retry-After", "5").build();
        }
        String state = FailureKind.sqlStateOf(e);
        StoreRefusal refusal = StoreRefusal.of(state);
        if (refusal != null) {
            // the state only: the database's message may quote the refused value
            LOG.warnf("request %s %s refused by the database (SQLState %s)", request.method(), request.path(), state);
            return respond(refusal.status(), refusal.code(), refusal.detail(), request);
        }
        LOG.errorf(e, "request %s %s failed", request.method(), request.path());
        return respond(500, ErrorCode.INTERNAL_ERROR, "Internal error", request);
    }

    /** A database error that a request caused, not a defect of ours, as its answer. */
    record StoreRefusal(int status, ErrorCode code, String detail) {

        /**
         * A data exception (SQLState class 22: a value the database cannot hold or compare) is the request's 400; a
         * unique violation (23505) is a 409, the race in which a concurrent request took a name or key after this
         * one's check saw it free (the checks themselves answer 409 naming the field). Null for any other state.
         */
        static StoreRefusal of(String state) {
            if (state != null && state.startsWith("22")) {
                return new StoreRefusal(400, ErrorCode.VALIDATION_ERROR, "A value of the request cannot be stored or"
                        + " compared (a NUL character, an unpaired surrogate, or a number or time out of range)");
            }
            if ("23505".equals(state)) {
                return new StoreRefusal(409, ErrorCode.CONFLICT, "The request conflicts with a resource created or"
                        + " changed at the same time (a name or key that must be unique is taken); read the current"
                        + " state and retry");
            }
            return null;
        }
    }

    /** A database or broker that cannot be reached is a temporary condition of ours, not a defect: 503. */
    static boolean isStoreUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String type = t.getClass().getName();
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof java.net.ConnectException || type.endsWith("ClosedConnectionException")
                    || type.endsWith("ConnectionPoolTooBusyException") || message.contains("Connection refused")
                    || message.contains("Fail to read any response from the server")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** What is wrong with a JSON body, naming the field but never echoing the rejected value. */
    static String describe(JsonProcessingException e) {
        if (e instanceof JsonParseException) {
            return "Request body is not valid JSON";
        }
        if (!(e instanceof JsonMappingException mapping)) {
            return "Request body is not valid JSON";
        }
        String path = path(mapping);
        if (e instanceof UnrecognizedPropertyException) {
            return "Unknown field '" + path + "'";
        }
        if (path.isEmpty()) {
            return e instanceof MismatchedInputException ? "Request body has the wrong shape" : "Request body cannot be read";
        }
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum()) {
            String allowed = java.util.Arrays.stream(invalid.getTargetType().getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
            return "Field '" + path + "' must be one of: " + allowed;
        }
        if (e instanceof InvalidFormatException) {
            return "Field '" + path + "' has an invalid value";
        }
        return e instanceof MismatchedInputException ? "Field '" + path + "' has the wrong type"
                : "Field '" + path + "' cannot be read";
    }

    private Response unauthenticated(HttpServerRequest request) {
        return build(401, ErrorCode.UNAUTHORIZED, "Missing or invalid credentials", Map.of(), request)
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    private Response respond(int status, ErrorCode code, String detail, HttpServerRequest request) {
        return build(status, code, detail, Map.of(), request).build();
    }

    private Response.ResponseBuilder build(int status, ErrorCode code, String detail, Map<String, Object> fields,
            HttpServerRequest request) {
        return Response.status(status).type(PROBLEM_JSON).entity(write(body(status, code, detail, fields, request)));
    }

    /** The problem document; also used for errors answered before JAX-RS sees the request. */
    public static Map<String, Object> body(int status, ErrorCode code, String detail, Map<String, Object> fields,
            HttpServerRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://kaizen.io/problems/" + code.name().toLowerCase().replace('_', '-'));
        body.put("title", Response.Status.fromStatusCode(status) == null ? code.name()
                : Response.Status.fromStatusCode(status).getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", request.path());
        body.put("error_code", code.name());
        body.put("request_id", RequestIds.of(request));
        body.putAll(fields);
        return body;
    }

    private String write(Map<String, Object> body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("problem body is not serialisable", e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String leaf(String propertyPath) {
        int dot = propertyPath.indexOf('.');
        // Bean validation paths start with the method and parameter name ("create.request.name").
        String[] parts = propertyPath.split("\\.");
        String field = dot < 0 || parts.length < 3 ? propertyPath
                : String.join(".", List.of(parts).subList(2, parts.length));
        return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
    }
}
